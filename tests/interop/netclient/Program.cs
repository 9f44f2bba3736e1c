// SPDX-License-Identifier: MIT
// DsrNetClient: the interop tests' tool-side client built on
// Microsoft.Diagnostics.NETCore.Client, so the router is checked against
// Microsoft's own client code as well as against dsr-ipc.
//
//   DsrNetClient processinfo PORT            PORT = PATH,connect
//   DsrNetClient resume PORT
//   DsrNetClient collect PORT PROVIDER SECS FILE
//   DsrNetClient listen PATH                 reversed server (listen mode)
//
// Output is key=value lines like dsr-ipc's; cookies are printed as the 16
// bytes in wire order, in hex. Every command gives up after TIMEOUT seconds
// (environment DSR_NETCLIENT_TIMEOUT, default 20).
using System;
using System.Diagnostics.Tracing;
using System.IO;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Diagnostics.NETCore.Client;

static class Program
{
    static int Timeout()
    {
        string s = Environment.GetEnvironmentVariable("DSR_NETCLIENT_TIMEOUT");
        return int.TryParse(s, out int v) && v > 0 ? v : 20;
    }

    // GetProcessInfo is internal in the library: reach it by reflection.
    static void PrintProcessInfo(DiagnosticsClient client, string prefix)
    {
        MethodInfo m = typeof(DiagnosticsClient).GetMethod("GetProcessInfo",
            BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        if (m == null)
            throw new InvalidOperationException("DiagnosticsClient.GetProcessInfo not found");
        object info = m.Invoke(client, null);
        Type t = info.GetType();
        object Get(string name) => t.GetProperty(name)?.GetValue(info);
        Guid cookie = (Guid)Get("RuntimeInstanceCookie");
        Console.WriteLine(prefix + "pid=" + Get("ProcessId"));
        Console.WriteLine(prefix + "cookie=" + Convert.ToHexString(cookie.ToByteArray()).ToLowerInvariant());
        Console.WriteLine(prefix + "commandline=" + Get("CommandLine"));
        Console.WriteLine(prefix + "os=" + Get("OperatingSystem"));
        Console.WriteLine(prefix + "arch=" + Get("ProcessArchitecture"));
    }

    static async Task<int> Run(string[] args, CancellationToken ct)
    {
        if (args.Length == 2 && args[0] == "processinfo")
        {
            await using var c = await DiagnosticsClientConnector.FromDiagnosticPort(args[1], ct);
            PrintProcessInfo(c.Instance, "");
            return 0;
        }
        if (args.Length == 2 && args[0] == "resume")
        {
            await using var c = await DiagnosticsClientConnector.FromDiagnosticPort(args[1], ct);
            c.Instance.ResumeRuntime();
            Console.WriteLine("resumed=0");
            return 0;
        }
        if (args.Length == 2 && args[0] == "listen")
        {
            // A port without ",connect" is a listen port: the library runs
            // a reversed server there and waits for a runtime's advertise.
            Console.WriteLine("listening=" + args[1]);
            Console.Out.Flush();
            await using var c = await DiagnosticsClientConnector.FromDiagnosticPort(args[1], ct);
            PrintProcessInfo(c.Instance, "1.");
            return 0;
        }
        if (args.Length == 5 && args[0] == "collect")
        {
            await using var c = await DiagnosticsClientConnector.FromDiagnosticPort(args[1], ct);
            var provider = new EventPipeProvider(args[2], EventLevel.Verbose, -1);
            using EventPipeSession session = c.Instance.StartEventPipeSession(provider, false, 64);
            Console.WriteLine("session=started");
            Console.Out.Flush();
            using var file = File.Create(args[4]);
            Task copy = session.EventStream.CopyToAsync(file, ct);
            await Task.Delay(TimeSpan.FromSeconds(double.Parse(args[3])), ct);
            await session.StopAsync(ct);
            await copy.WaitAsync(ct);
            Console.WriteLine("bytes=" + file.Length);
            Console.WriteLine("ended=stop");
            return 0;
        }
        Console.Error.WriteLine("usage: DsrNetClient processinfo|resume PORT | collect PORT PROVIDER SECS FILE | listen PATH");
        return 64;
    }

    static int Main(string[] args)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(Timeout()));
        try
        {
            return Run(args, cts.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            Exception inner = e is TargetInvocationException tie && tie.InnerException != null ? tie.InnerException : e;
            Console.Error.WriteLine("DsrNetClient: " + inner.GetType().Name + ": " + inner.Message);
            return 1;
        }
    }
}
