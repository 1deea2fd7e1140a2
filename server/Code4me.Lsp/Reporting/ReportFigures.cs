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
        return AcceptanceBars(
            [.. shown.Select(m => m.Model)], [.. shown.Select(m => (m.AcceptanceRate!.Value, m.AcceptanceCiLow!.Value, m.AcceptanceCiHigh!.Value))]);
    }

    public static string? AcceptancePerArm(IReadOnlyList<StudyResults.AbArmRow> arms) =>
        AcceptanceBars([.. arms.Select(a => a.Arm)], [.. arms.Select(a => (a.AcceptanceRate, a.AcceptanceCiLow, a.AcceptanceCiHigh))]);

    public static string? AcceptancePerLanguage(IReadOnlyList<StudyResults.LanguageUsageRow> languages)
    {
        var shown = languages.Where(l => l.AcceptanceRate is not null).ToList();
        return AcceptanceBars(
            [.. shown.Select(l => l.Language)], [.. shown.Select(l => (l.AcceptanceRate!.Value, l.AcceptanceCiLow!.Value, l.AcceptanceCiHigh!.Value))]);
    }

    public static string? QueriesPerHour(IReadOnlyList<StudyResults.HourlyUsageRow> hours)
    {
        if (hours.All(h => h.Queries == 0))
        {
            return null;
        }

        using var plot = new Plot();
        plot.Add.Bars(hours.Select(h => (double)h.HourOfDay).ToArray(), hours.Select(h => (double)h.Queries).ToArray());
        double[] ticks = [0, 3, 6, 9, 12, 15, 18, 21];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, [.. ticks.Select(t => t.ToString("00", CultureInfo.InvariantCulture) + ":00")]);
        plot.Axes.SetLimitsX(-0.5, 23.5);
        plot.Axes.Margins(bottom: 0);
        plot.XLabel("hour of the day (UTC)");
        plot.YLabel("completion queries");
        return Svg(plot);
    }

    public static string? TimesSinceLast(IReadOnlyList<StudyResults.TimeSinceLastBinRow> bins)
    {
        if (bins.Count == 0)
        {
            return null;
        }

        var labels = bins.Select(b => (b.Bin, Label: HtmlReport.SecondsRange(b) + (b.LowSeconds is null ? "" : " s"))).Distinct().OrderBy(b => b.Bin).ToList();
        var series = bins.GroupBy(b => b.Measure).OrderByDescending(m => m.Key, StringComparer.Ordinal)
            .Select(m => ("since the last " + m.Key, (IReadOnlyList<(double X, double Y)>)[.. m.Select(b => ((double)labels.FindIndex(l => l.Bin == b.Bin), b.Share))]))
            .ToList();
        return GroupedBars([.. labels.Select(l => l.Label)], series, "time before the query", "share of queries");
    }

    public static string? GenerationTimes(IReadOnlyList<StudyResults.GenerationTimeBinRow> bins)
    {
        if (bins.Count == 0)
        {
            return null;
        }

        var labels = bins.Select(b => (b.Bin, Label: b.HighMs is { } high ? $"{b.LowMs}–{high}" : $"≥ {b.LowMs}")).Distinct().OrderBy(b => b.Bin).ToList();
        var series = bins.GroupBy(b => b.Model).Select(model => (model.Key, (IReadOnlyList<(double X, double Y)>)[.. model.Select(b => ((double)labels.FindIndex(l => l.Bin == b.Bin), b.Share))])).ToList();
        return GroupedBars([.. labels.Select(l => l.Label)], series, "generation time (ms)", "share of the model's answers");
    }

    public static string? TypingSpeeds(IReadOnlyList<StudyResults.TypingSpeedBinRow> bins)
    {
        if (bins.Count == 0)
        {
            return null;
        }

        var labels = bins.Select(b => b.HighCharsPerSecond is { } high ? $"{b.LowCharsPerSecond}–{high}" : $"≥ {b.LowCharsPerSecond}").ToArray();
        IReadOnlyList<(string, IReadOnlyList<(double, double)>)> series = [("queries", [.. bins.Select((b, i) => ((double)i, b.Share))])];
        return GroupedBars(labels, series, "typing speed before the query (characters per second)", "share of queries");
    }

    public static string? Rejections(IReadOnlyList<StudyResults.RejectionOutcomeRow> models)
    {
        var measured = models.Where(m => m.WithGroundTruth > 0).ToList();
        if (measured.Count == 0)
        {
            return null;
        }

        string[] labels = ["wrote it anyway", "same start", "nothing", "something else"];
        var series = measured.Select(m => (m.Model, (IReadOnlyList<(double X, double Y)>)[
            .. new[] { m.WrittenAnyway, m.SameStart, m.NothingWritten, m.Other }.Select((n, i) => ((double)i, (double)n))])).ToList();
        return GroupedBars(labels, series, "what stood at the position afterwards", "rejected answers", shares: false);
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

    /// <summary>Bars of rates with their (asymmetric) 95 % intervals, one per label; null when there are none.</summary>
    private static string? AcceptanceBars(string[] labels, (double Rate, double Low, double High)[] rates, [CallerMemberName] string name = "")
    {
        if (labels.Length == 0)
        {
            return null;
        }

        using var plot = new Plot();
        var xs = Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray();
        plot.Add.Bars(xs, rates.Select(r => r.Rate).ToArray());
        IntervalLines(plot, xs, [.. rates.Select(r => (r.Low, r.High))]);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, labels);
        plot.Axes.SetLimitsY(0, 1);
        plot.YLabel("acceptance rate (95 % Wilson interval)");
        return Svg(plot, name);
    }

    /// <summary>
    /// Bars at the categories <paramref name="labels"/>, one colour per series side by side, with a legend when there are several;
    /// the y axis from 0 to 1 for <paramref name="shares"/>, else from 0 to the data.
    /// </summary>
    private static string? GroupedBars(
        string[] labels, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series, string xLabel, string yLabel, bool shares = true,
        [CallerMemberName] string name = "")
    {
        using var plot = new Plot();
        var width = 0.8 / series.Count;
        for (var i = 0; i < series.Count; i++)
        {
            var offset = (i - (series.Count - 1) / 2.0) * width;
            var bars = plot.Add.Bars(series[i].Points.Select(p => p.X + offset).ToArray(), series[i].Points.Select(p => p.Y).ToArray());
            foreach (var bar in bars.Bars)
            {
                bar.Size = width * 0.95;
            }

            bars.LegendText = series.Count > 1 ? series[i].Name : "";
        }

        var xs = Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, labels);
        if (shares)
        {
            plot.Axes.SetLimitsY(0, 1.05);
        }
        else
        {
            plot.Axes.Margins(bottom: 0);
        }

        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (series.Count > 1)
        {
            plot.ShowLegend(Alignment.UpperRight);
        }

        return Svg(plot, name);
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
