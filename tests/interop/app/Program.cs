// SPDX-License-Identifier: MIT
// DsrInteropApp: the .NET app the interop tests run behind dsrouterd.
//
// It prints "started" once Main runs (a runtime started with a suspend
// diagnostic port gets here only after a ResumeRuntime), then writes events
// from its own EventSource, "DsrInterop-App", in a loop until it is told to
// stop: the stop file (--stop-file PATH) appears, SIGTERM arrives, or
// --lifetime SECS (default 120) runs out, so it never outlives a test.
// With --burst it writes events as fast as it can, with a larger payload,
// to push megabytes per second through a trace. With --name NAME (for tests
// that run several instances at once) every tick's text says
// "DsrInterop tick NAME pid PID", so a trace shows whose events it holds.
//
// For the tools that read more than events: it publishes counters, both as
// an EventCounter of its EventSource ("DsrInterop-App", counter
// "tick-count") and as a System.Diagnostics.Metrics Meter ("DsrInterop.App",
// instruments "dsrinterop.ticks" and "dsrinterop.markers"); and it keeps
// MarkerCount instances of DsrInteropMarker alive on the heap for a gcdump
// or a dump to find. Its main thread waits in Program.Main, for a stack
// report to name.
using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using System.IO;
using System.Threading;

[EventSource(Name = "DsrInterop-App")]
sealed class AppEvents : EventSource
{
    public static readonly AppEvents Log = new AppEvents();

    // The events written so far (the EventCounter's value).
    public static long Ticks;

    private PollingCounter tickCounter;

    [Event(1, Level = EventLevel.Informational, Message = "tick {0}: {1}")]
    public void Tick(int n, string text) { WriteEvent(1, n, text); }

    // The counter exists once a session enables the EventSource (the
    // usual pattern: no cost while nobody listens).
    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (command.Command == EventCommand.Enable && tickCounter == null)
            tickCounter = new PollingCounter("tick-count", this, () => Interlocked.Read(ref Ticks))
            {
                DisplayName = "DsrInterop ticks written",
            };
    }
}

// The recognisable type a heap report must name.
sealed class DsrInteropMarker
{
    public readonly int Id;
    public readonly byte[] Payload;

    public DsrInteropMarker(int id)
    {
        Id = id;
        Payload = new byte[64];
    }
}

static class Program
{
    public const int MarkerCount = 1000;

    // Kept alive for the life of the process.
    static readonly List<DsrInteropMarker> markers = new List<DsrInteropMarker>();

    static readonly Meter meter = new Meter("DsrInterop.App", "1.0");
    static readonly Counter<long> tickMeter =
        meter.CreateCounter<long>("dsrinterop.ticks", "{tick}", "DsrInterop ticks written");

    static int Main(string[] args)
    {
        string stopFile = null;
        int lifetime = 120;
        bool burst = false;
        string name = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--stop-file" && i + 1 < args.Length)
                stopFile = args[++i];
            else if (args[i] == "--lifetime" && i + 1 < args.Length)
                lifetime = int.Parse(args[++i]);
            else if (args[i] == "--burst")
                burst = true;
            else if (args[i] == "--name" && i + 1 < args.Length)
                name = args[++i];
        }

        Console.Out.WriteLine("started " + Environment.ProcessId);
        Console.Out.Flush();

        for (int i = 0; i < MarkerCount; i++)
            markers.Add(new DsrInteropMarker(i));
        meter.CreateObservableGauge("dsrinterop.markers", () => markers.Count, "{marker}",
            "DsrInteropMarker instances alive");

        var deadline = DateTime.UtcNow.AddSeconds(lifetime);
        string text = burst ? new string('x', 200) :
            name != null ? "DsrInterop tick " + name + " pid " + Environment.ProcessId :
            "DsrInterop tick";
        int n = 0;
        while (DateTime.UtcNow < deadline)
        {
            if (stopFile != null && File.Exists(stopFile))
                break;
            if (burst)
            {
                for (int i = 0; i < 1000; i++)
                    AppEvents.Log.Tick(n++, text);
                Interlocked.Add(ref AppEvents.Ticks, 1000);
                tickMeter.Add(1000);
                Thread.Yield();
            }
            else
            {
                // The first event says so: a trace that holds it began
                // before Main (startup tracing of a suspended runtime).
                AppEvents.Log.Tick(n, n == 0 ? "DsrInterop first tick" : text);
                n++;
                Interlocked.Increment(ref AppEvents.Ticks);
                tickMeter.Add(1);
                Thread.Sleep(20);
            }
        }
        Console.Out.WriteLine("stopping after " + n + " events, " + markers.Count + " markers alive");
        return 0;
    }
}
