namespace Code4me.Lsp.Core.Completion;

/// <summary>How long to wait after a keystroke before an automatic completion, from the user's rhythm.</summary>
public static class AdaptiveDebounce
{
    /// <summary>Intervals longer than this are pauses, not typing rhythm.</summary>
    public const double PauseMs = 2000;

    /// <summary>
    /// 1.5 × the median of the recent inter-keystroke intervals (pauses over <see cref="PauseMs"/> ignored),
    /// clamped to [<paramref name="minMs"/>, <paramref name="maxMs"/>]; <paramref name="maxMs"/> without history.
    /// A fast typist waits little; someone typing slowly is not interrupted mid-word.
    /// </summary>
    public static int DelayMs(ReadOnlySpan<double> recentIntervalsMs, int minMs, int maxMs)
    {
        if (maxMs < minMs)
        {
            (minMs, maxMs) = (maxMs, minMs);
        }

        Span<double> usable = recentIntervalsMs.Length <= 64 ? stackalloc double[recentIntervalsMs.Length] : new double[recentIntervalsMs.Length];
        var n = 0;
        foreach (var interval in recentIntervalsMs)
        {
            if (interval >= 0 && interval <= PauseMs)
            {
                usable[n++] = interval;
            }
        }

        if (n == 0)
        {
            return maxMs;
        }

        usable = usable[..n];
        usable.Sort();
        var median = n % 2 == 1 ? usable[n / 2] : (usable[(n / 2) - 1] + usable[n / 2]) / 2;
        return (int)Math.Clamp(Math.Round(1.5 * median), minMs, maxMs);
    }
}
