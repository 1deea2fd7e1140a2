namespace Code4me.Lsp.Storage.Postgres.Analysis;

/// <summary>
/// The rows of the analysis views (migration 0010) that the report shows, read in one snapshot. Each record is one view's
/// row; the views' COMMENTs define every field.
/// </summary>
internal sealed record StudyResults(
    AnalysisFilter Filter,
    StudyResults.OverviewRow Overview,
    IReadOnlyList<StudyResults.DailyUsageRow> DailyUsage,
    IReadOnlyList<StudyResults.ModelPerformanceRow> Models,
    IReadOnlyList<StudyResults.ModelComparisonRow> Comparison,
    IReadOnlyList<StudyResults.CalibrationBinRow> CalibrationBins,
    IReadOnlyList<StudyResults.CalibrationSummaryRow> Calibration,
    IReadOnlyList<StudyResults.RetentionSurvivalRow> Retention,
    StudyResults.DataCompletenessRow Completeness,
    StudyResults.ChatSummaryRow Chat,
    IReadOnlyList<StudyResults.AbArmRow> AbArms,
    IReadOnlyList<StudyResults.GenerationTimeBinRow> GenerationTimes,
    IReadOnlyList<StudyResults.TypingSpeedBinRow> TypingSpeeds,
    IReadOnlyList<StudyResults.RejectionOutcomeRow> Rejections,
    IReadOnlyList<StudyResults.HourlyUsageRow> Hours,
    IReadOnlyList<StudyResults.LanguageUsageRow> Languages,
    IReadOnlyList<StudyResults.TimeSinceLastBinRow> TimesSinceLast)
{
    /// <summary><c>analysis.overview</c>.</summary>
    internal sealed record OverviewRow(
        long Queries, long Participants, long Shown, long Accepted, double? AcceptanceRate, double? AcceptanceCiLow, double? AcceptanceCiHigh,
        double? MedianGenerationTimeMs, double? P95GenerationTimeMs, DateTime? FirstQueryAt, DateTime? LastQueryAt);

    /// <summary><c>analysis.daily_usage</c>.</summary>
    internal sealed record DailyUsageRow(
        DateTime Day, long Queries, long Participants, long Shown, long Accepted, double? AcceptanceRate, double? AcceptanceCiLow,
        double? AcceptanceCiHigh, double? MedianGenerationTimeMs);

    /// <summary><c>analysis.model_performance</c>.</summary>
    internal sealed record ModelPerformanceRow(
        string Model, long Generations, long Shown, long Accepted, double? AcceptanceRate, double? AcceptanceCiLow, double? AcceptanceCiHigh,
        double MeanGenerationTimeMs, double MedianGenerationTimeMs, double P95GenerationTimeMs, double MeanConfidence, long WithGroundTruth,
        long ExactMatches, double? ExactMatchRate);

    /// <summary><c>analysis.model_comparison</c>.</summary>
    internal sealed record ModelComparisonRow(
        string Model, long Queries, long ShownFirst, long WithGroundTruth, long ExactMatches, long RightButNotShown, long ShownButWrong);

    /// <summary><c>analysis.calibration_bins</c>.</summary>
    internal sealed record CalibrationBinRow(
        string Model, int Bin, double ConfidenceLow, double ConfidenceHigh, long Shown, long Accepted, double MeanConfidence, double AcceptanceRate);

    /// <summary><c>analysis.calibration_summary</c>.</summary>
    internal sealed record CalibrationSummaryRow(string Model, long Shown, double ExpectedCalibrationError, double BrierScore);

    /// <summary><c>analysis.retention_survival</c>.</summary>
    internal sealed record RetentionSurvivalRow(
        string Model, int AfterSeconds, long Measured, long Survived, double SurvivalRate, long AcceptedChars, long RetainedChars, double? RetainedShare);

    /// <summary><c>analysis.data_completeness</c>.</summary>
    internal sealed record DataCompletenessRow(
        long Queries, long Shown, double? ShownShare, long ShownWithOutcome, double? OutcomeShare, long WithGroundTruth, double? GroundTruthShare,
        long WithContext, long WithContextualTelemetry, long WithBehavioralTelemetry);

    /// <summary><c>analysis.chat_summary</c>.</summary>
    internal sealed record ChatSummaryRow(
        long Chats, long Messages, long Participants, long Mistakes, double? MistakeRate, long NotCompleted, long PromptTokens,
        long CompletionTokens, decimal? Cost, double? MedianGenerationTimeMs);

    /// <summary><c>analysis.ab_arms</c>.</summary>
    internal sealed record AbArmRow(
        string Arm, long Participants, long Shown, long Accepted, double AcceptanceRate, double AcceptanceCiLow, double AcceptanceCiHigh, string Baseline,
        double? Difference, double? DifferenceCiLow, double? DifferenceCiHigh, double? Uplift);

    /// <summary><c>analysis.generation_time_histogram</c>.</summary>
    internal sealed record GenerationTimeBinRow(string Model, int Bin, int LowMs, int? HighMs, long Answers, long Shown, double Share);

    /// <summary><c>analysis.typing_speed_histogram</c>.</summary>
    internal sealed record TypingSpeedBinRow(
        int LowCharsPerSecond, int? HighCharsPerSecond, long Queries, double Share, long Shown, long Accepted, double? AcceptanceRate);

    /// <summary><c>analysis.rejection_outcomes</c>.</summary>
    internal sealed record RejectionOutcomeRow(
        string Model, long Rejected, long WithGroundTruth, long WrittenAnyway, long SameStart, long NothingWritten, long Other, double? WrittenAnywayShare);

    /// <summary><c>analysis.hourly_usage</c>.</summary>
    internal sealed record HourlyUsageRow(int HourOfDay, long Queries, long Participants, long Shown, long Accepted, double? AcceptanceRate);

    /// <summary><c>analysis.language_usage</c>.</summary>
    internal sealed record LanguageUsageRow(
        string Language, long Queries, long Participants, long Shown, long Accepted, double? AcceptanceRate, double? AcceptanceCiLow, double? AcceptanceCiHigh);

    /// <summary><c>analysis.time_since_last_histogram</c>.</summary>
    internal sealed record TimeSinceLastBinRow(
        string Measure, int Bin, int? LowSeconds, int? HighSeconds, long Queries, double Share, long Shown, long Accepted, double? AcceptanceRate);
}
