// DsrInteropApp: the .NET app the interop tests run behind dsrouterd.
//
// It prints "started" once Main runs (a runtime started with a suspend
// diagnostic port gets here only after a ResumeRuntime), then writes events
// from its own EventSource, "DsrInterop-App", in a loop until it is told to
// stop: the stop file (--stop-file PATH) appears, SIGTERM arrives, or
// --lifetime SECS (default 120) runs out, so it never outlives a test.
// With --burst it writes events as fast as it can, with a larger payload,
// to push megabytes per second through a trace.
using System;
using System.Diagnostics.Tracing;
using System.IO;
using System.Threading;

[EventSource(Name = "DsrInterop-App")]
sealed class AppEvents : EventSource
{
    public static readonly AppEvents Log = new AppEvents();

    [Event(1, Level = EventLevel.Informational, Message = "tick {0}: {1}")]
    public void Tick(int n, string text) { WriteEvent(1, n, text); }
}

static class Program
{
    static int Main(string[] args)
    {
        string stopFile = null;
        int lifetime = 120;
        bool burst = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--stop-file" && i + 1 < args.Length)
                stopFile = args[++i];
            else if (args[i] == "--lifetime" && i + 1 < args.Length)
                lifetime = int.Parse(args[++i]);
            else if (args[i] == "--burst")
                burst = true;
        }

        Console.Out.WriteLine("started " + Environment.ProcessId);
        Console.Out.Flush();

        var deadline = DateTime.UtcNow.AddSeconds(lifetime);
        string text = burst ? new string('x', 200) : "DsrInterop tick";
        int n = 0;
        while (DateTime.UtcNow < deadline)
        {
            if (stopFile != null && File.Exists(stopFile))
                break;
            if (burst)
            {
                for (int i = 0; i < 1000; i++)
                    AppEvents.Log.Tick(n++, text);
                Thread.Yield();
            }
            else
            {
                // The first event says so: a trace that holds it began
                // before Main (startup tracing of a suspended runtime).
                AppEvents.Log.Tick(n, n == 0 ? "DsrInterop first tick" : text);
                n++;
                Thread.Sleep(20);
            }
        }
        Console.Out.WriteLine("stopping after " + n + " events");
        return 0;
    }
}
