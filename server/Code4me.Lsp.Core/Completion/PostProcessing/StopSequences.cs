namespace Code4me.Lsp.Core.Completion.PostProcessing;

/// <summary>Cuts a completion at the earliest stop sequence.</summary>
public static class StopSequences
{
    /// <summary>The completion up to the first occurrence of any (non-empty) stop sequence.</summary>
    public static string Truncate(string completion, IEnumerable<string> stops)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var cut = completion.Length;
        foreach (var stop in stops)
        {
            if (string.IsNullOrEmpty(stop))
            {
                continue;
            }

            var at = completion.AsSpan(0, cut).IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0)
            {
                cut = at;
            }
        }

        return cut == completion.Length ? completion : completion[..cut];
    }
}
