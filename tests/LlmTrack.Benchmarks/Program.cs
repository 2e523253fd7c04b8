using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "delivery-faults")
{
    return await LlmTrack.Benchmarks.Faults.DeliveryFaultsBenchmark.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
