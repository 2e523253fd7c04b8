namespace LlmTrack.Sweeps;

/// <summary>The trials of a sweep: the grid in order (last parameter fastest), or seeded random samples.</summary>
internal static class SweepTrials
{
    public static IEnumerable<IReadOnlyDictionary<string, object>> Generate(SweepSpace space, SweepOptions options)
    {
        IReadOnlyList<SweepParameter> parameters = space.Parameters;
        int max = options.MaxTrials ?? int.MaxValue;
        if (options.Strategy == SweepStrategy.Random)
        {
            var random = new Random(options.Seed);
            for (int t = 0; t < max; t++)
            {
                yield return parameters.ToDictionary(p => p.Name, p => p.Sample(random), StringComparer.Ordinal);
            }

            yield break;
        }

        var index = new int[parameters.Count];
        for (int t = 0; t < max; t++)
        {
            yield return parameters.Select((p, i) => (p.Name, Value: p.GridValue(index[i]))).ToDictionary(x => x.Name, x => x.Value, StringComparer.Ordinal);
            int k = parameters.Count - 1;
            while (k >= 0 && ++index[k] == parameters[k].GridSize)
            {
                index[k] = 0;
                k--;
            }

            if (k < 0)
            {
                yield break;
            }
        }
    }
}
