using System.Globalization;
using System.Runtime.CompilerServices;
using Code4me.Lsp.Storage.Postgres.Analysis;
using ScottPlot;

namespace Code4me.Lsp.Reporting;

/// <summary>
/// The report's plots, drawn by ScottPlot and exported as SVG (<see cref="Plot.GetSvgXml"/>; Skia renders headless, with no
/// display). Each method takes rows of an analysis view and returns the SVG element, sized by a viewBox so it scales;
/// null when there is nothing to plot.
/// </summary>
internal static class ReportFigures
{
    private const int Width = 720;
    private const int Height = 340;

    public static string? QueriesPerDay(IReadOnlyList<StudyResults.DailyUsageRow> days)
    {
        if (days.Count == 0)
        {
            return null;
        }

        using var plot = new Plot();
        plot.Add.Bars(days.Select(d => d.Day.ToOADate()).ToArray(), days.Select(d => (double)d.Queries).ToArray());
        plot.Axes.DateTimeTicksBottom();
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("completion queries");
        return Svg(plot);
    }

    public static string? AcceptancePerDay(IReadOnlyList<StudyResults.DailyUsageRow> days)
    {
        var shown = days.Where(d => d.AcceptanceRate is not null).ToList();
        if (shown.Count == 0)
        {
            return null;
        }

        using var plot = new Plot();
        var xs = shown.Select(d => d.Day.ToOADate()).ToArray();
        IntervalLines(plot, xs, shown.Select(d => (d.AcceptanceCiLow!.Value, d.AcceptanceCiHigh!.Value)).ToArray());
        var rate = plot.Add.Scatter(xs, shown.Select(d => d.AcceptanceRate!.Value).ToArray());
        rate.LegendText = "accepted / shown, with 95 % Wilson interval";
        plot.Axes.DateTimeTicksBottom();
        plot.Axes.SetLimitsY(0, 1);
        plot.YLabel("acceptance rate");
        plot.ShowLegend(Alignment.UpperRight);
        return Svg(plot);
    }

    public static string? AcceptancePerModel(IReadOnlyList<StudyResults.ModelPerformanceRow> models)
    {
        var shown = models.Where(m => m.AcceptanceRate is not null).ToList();
        if (shown.Count == 0)
        {
            return null;
        }

        using var plot = new Plot();
        var xs = Enumerable.Range(0, shown.Count).Select(i => (double)i).ToArray();
        plot.Add.Bars(xs, shown.Select(m => m.AcceptanceRate!.Value).ToArray());
        IntervalLines(plot, xs, shown.Select(m => (m.AcceptanceCiLow!.Value, m.AcceptanceCiHigh!.Value)).ToArray());
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, [.. shown.Select(m => m.Model)]);
        plot.Axes.SetLimitsY(0, 1);
        plot.YLabel("acceptance rate (95 % Wilson interval)");
        return Svg(plot);
    }

    public static string? Reliability(IReadOnlyList<StudyResults.CalibrationBinRow> bins)
    {
        if (bins.Count == 0)
        {
            return null;
        }

        using var plot = new Plot();
        var ideal = plot.Add.Line(0, 0, 1, 1);
        ideal.LinePattern = LinePattern.Dashed;
        ideal.LegendText = "perfect calibration";
        foreach (var model in bins.GroupBy(b => b.Model))
        {
            var line = plot.Add.Scatter(model.Select(b => b.MeanConfidence).ToArray(), model.Select(b => b.AcceptanceRate).ToArray());
            line.LegendText = model.Key;
        }

        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.XLabel("mean confidence in the decile");
        plot.YLabel("acceptance rate");
        plot.ShowLegend(Alignment.UpperLeft);
        return Svg(plot);
    }

    public static string? Survival(IReadOnlyList<StudyResults.RetentionSurvivalRow> rows)
    {
        if (rows.Count == 0)
        {
            return null;
        }

        using var plot = new Plot();
        foreach (var model in rows.GroupBy(r => r.Model))
        {
            var line = plot.Add.Scatter(model.Select(r => (double)r.AfterSeconds).ToArray(), model.Select(r => r.SurvivalRate).ToArray());
            line.LegendText = model.Key;
        }

        plot.Axes.SetLimitsY(0, 1.05);
        plot.XLabel("seconds after acceptance");
        plot.YLabel("share with ≥ half its characters retained");
        plot.ShowLegend(Alignment.LowerLeft);
        return Svg(plot);
    }

    public static string? Completeness(StudyResults.DataCompletenessRow completeness)
    {
        if (completeness.Queries == 0)
        {
            return null;
        }

        using var plot = new Plot();
        double[] xs = [0, 1, 2];
        plot.Add.Bars(xs, [completeness.ShownShare ?? 0, completeness.OutcomeShare ?? 0, completeness.GroundTruthShare ?? 0]);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, ["shown / queries", "outcome / shown", "ground truth / queries"]);
        plot.Axes.SetLimitsY(0, 1.05);
        plot.YLabel("share");
        return Svg(plot);
    }

    /// <summary>A vertical line from each interval's low to its high end (ScottPlot's error bars are symmetric; Wilson's are not).</summary>
    private static void IntervalLines(Plot plot, double[] xs, (double Low, double High)[] intervals)
    {
        for (var i = 0; i < xs.Length; i++)
        {
            var line = plot.Add.Line(xs[i], intervals[i].Low, xs[i], intervals[i].High);
            line.Color = Colors.Black;
            line.LineWidth = 1.5f;
        }
    }

    /// <summary>
    /// The plot as an SVG element for inline use: without the XML declaration (not allowed inside HTML), scaling with the page
    /// (a viewBox), and with its ids (clip paths) prefixed by <paramref name="name"/>, since every ScottPlot SVG numbers them alike
    /// and one page holds several.
    /// </summary>
    private static string Svg(Plot plot, [CallerMemberName] string name = "")
    {
        var svg = plot.GetSvgXml(Width, Height);
        svg = svg[svg.IndexOf("<svg", StringComparison.Ordinal)..]
            .Replace("id=\"", $"id=\"{name}-", StringComparison.Ordinal)
            .Replace("url(#", $"url(#{name}-", StringComparison.Ordinal)
            .Replace("href=\"#", $"href=\"#{name}-", StringComparison.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\"{svg.AsSpan("<svg".Length)}");
    }
}
