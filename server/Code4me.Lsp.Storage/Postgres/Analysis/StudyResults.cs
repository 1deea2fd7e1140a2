using Npgsql;

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
        double? MedianGenerationTimeMs, double? P95GenerationTimeMs, DateTime? FirstQueryAt, DateTime? LastQueryAt)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static OverviewRow Read(NpgsqlDataReader r) => new(
            r.Get<long>(0), r.Get<long>(1), r.Get<long>(2), r.Get<long>(3), r.Get<double?>(4), r.Get<double?>(5), r.Get<double?>(6),
            r.Get<double?>(7), r.Get<double?>(8), r.Get<DateTime?>(9), r.Get<DateTime?>(10));
    }

    /// <summary><c>analysis.daily_usage</c>.</summary>
    internal sealed record DailyUsageRow(
        DateTime Day, long Queries, long Participants, long Shown, long Accepted, double? AcceptanceRate, double? AcceptanceCiLow,
        double? AcceptanceCiHigh, double? MedianGenerationTimeMs)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static DailyUsageRow Read(NpgsqlDataReader r) => new(
            r.Get<DateTime>(0), r.Get<long>(1), r.Get<long>(2), r.Get<long>(3), r.Get<long>(4), r.Get<double?>(5), r.Get<double?>(6),
            r.Get<double?>(7), r.Get<double?>(8));
    }

    /// <summary><c>analysis.model_performance</c>.</summary>
    internal sealed record ModelPerformanceRow(
        string Model, long Generations, long Shown, long Accepted, double? AcceptanceRate, double? AcceptanceCiLow, double? AcceptanceCiHigh,
        double MeanGenerationTimeMs, double MedianGenerationTimeMs, double P95GenerationTimeMs, double MeanConfidence, long WithGroundTruth,
        long ExactMatches, double? ExactMatchRate)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static ModelPerformanceRow Read(NpgsqlDataReader r) => new(
            r.Get<string>(0) ?? "", r.Get<long>(1), r.Get<long>(2), r.Get<long>(3), r.Get<double?>(4), r.Get<double?>(5), r.Get<double?>(6),
            r.Get<double>(7), r.Get<double>(8), r.Get<double>(9), r.Get<double>(10), r.Get<long>(11), r.Get<long>(12), r.Get<double?>(13));
    }

    /// <summary><c>analysis.model_comparison</c>.</summary>
    internal sealed record ModelComparisonRow(
        string Model, long Queries, long ShownFirst, long WithGroundTruth, long ExactMatches, long RightButNotShown, long ShownButWrong)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static ModelComparisonRow Read(NpgsqlDataReader r) => new(
            r.Get<string>(0) ?? "", r.Get<long>(1), r.Get<long>(2), r.Get<long>(3), r.Get<long>(4), r.Get<long>(5), r.Get<long>(6));
    }

    /// <summary><c>analysis.calibration_bins</c>.</summary>
    internal sealed record CalibrationBinRow(
        string Model, int Bin, double ConfidenceLow, double ConfidenceHigh, long Shown, long Accepted, double MeanConfidence, double AcceptanceRate)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static CalibrationBinRow Read(NpgsqlDataReader r) => new(
            r.Get<string>(0) ?? "", r.Get<int>(1), r.Get<double>(2), r.Get<double>(3), r.Get<long>(4), r.Get<long>(5), r.Get<double>(6),
            r.Get<double>(7));
    }

    /// <summary><c>analysis.calibration_summary</c>.</summary>
    internal sealed record CalibrationSummaryRow(string Model, long Shown, double ExpectedCalibrationError, double BrierScore)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static CalibrationSummaryRow Read(NpgsqlDataReader r) => new(
            r.Get<string>(0) ?? "", r.Get<long>(1), r.Get<double>(2), r.Get<double>(3));
    }

    /// <summary><c>analysis.retention_survival</c>.</summary>
    internal sealed record RetentionSurvivalRow(
        string Model, int AfterSeconds, long Measured, long Survived, double SurvivalRate, long AcceptedChars, long RetainedChars, double? RetainedShare)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static RetentionSurvivalRow Read(NpgsqlDataReader r) => new(
            r.Get<string>(0) ?? "", r.Get<int>(1), r.Get<long>(2), r.Get<long>(3), r.Get<double>(4), r.Get<long>(5), r.Get<long>(6), r.Get<double?>(7));
    }

    /// <summary><c>analysis.data_completeness</c>.</summary>
    internal sealed record DataCompletenessRow(
        long Queries, long Shown, double? ShownShare, long ShownWithOutcome, double? OutcomeShare, long WithGroundTruth, double? GroundTruthShare,
        long WithContext, long WithContextualTelemetry, long WithBehavioralTelemetry)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static DataCompletenessRow Read(NpgsqlDataReader r) => new(
            r.Get<long>(0), r.Get<long>(1), r.Get<double?>(2), r.Get<long>(3), r.Get<double?>(4), r.Get<long>(5), r.Get<double?>(6), r.Get<long>(7),
            r.Get<long>(8), r.Get<long>(9));
    }

    /// <summary><c>analysis.chat_summary</c>.</summary>
    internal sealed record ChatSummaryRow(
        long Chats, long Messages, long Participants, long Mistakes, double? MistakeRate, long NotCompleted, long PromptTokens,
        long CompletionTokens, decimal? Cost, double? MedianGenerationTimeMs)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static ChatSummaryRow Read(NpgsqlDataReader r) => new(
            r.Get<long>(0), r.Get<long>(1), r.Get<long>(2), r.Get<long>(3), r.Get<double?>(4), r.Get<long>(5), r.Get<long>(6), r.Get<long>(7),
            r.Get<decimal?>(8), r.Get<double?>(9));
    }

    /// <summary><c>analysis.ab_arms</c>.</summary>
    internal sealed record AbArmRow(
        string Arm, long Participants, long Shown, long Accepted, double AcceptanceRate, double AcceptanceCiLow, double AcceptanceCiHigh, string Baseline,
        double? Difference, double? DifferenceCiLow, double? DifferenceCiHigh, double? Uplift, string ArmSource)
    {
        /// <summary><see cref="ArmSource"/> of arms that are the study's arms (study_participant.arm), not the shown models.</summary>
        public const string StudyArm = "study_arm";

        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static AbArmRow Read(NpgsqlDataReader r) => new(
            r.Get<string>(0) ?? "", r.Get<long>(1), r.Get<long>(2), r.Get<long>(3), r.Get<double>(4), r.Get<double>(5), r.Get<double>(6),
            r.Get<string>(7) ?? "", r.Get<double?>(8), r.Get<double?>(9), r.Get<double?>(10), r.Get<double?>(11), r.Get<string>(12) ?? "");
    }

    /// <summary><c>analysis.generation_time_histogram</c>.</summary>
    internal sealed record GenerationTimeBinRow(string Model, int Bin, int LowMs, int? HighMs, long Answers, long Shown, double Share)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static GenerationTimeBinRow Read(NpgsqlDataReader r) => new(
            r.Get<string>(0) ?? "", r.Get<int>(1), r.Get<int>(2), r.Get<int?>(3), r.Get<long>(4), r.Get<long>(5), r.Get<double>(6));
    }

    /// <summary><c>analysis.typing_speed_histogram</c>.</summary>
    internal sealed record TypingSpeedBinRow(
        int LowCharsPerSecond, int? HighCharsPerSecond, long Queries, double Share, long Shown, long Accepted, double? AcceptanceRate)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static TypingSpeedBinRow Read(NpgsqlDataReader r) => new(
            r.Get<int>(0), r.Get<int?>(1), r.Get<long>(2), r.Get<double>(3), r.Get<long>(4), r.Get<long>(5), r.Get<double?>(6));
    }

    /// <summary><c>analysis.rejection_outcomes</c>.</summary>
    internal sealed record RejectionOutcomeRow(
        string Model, long Rejected, long WithGroundTruth, long WrittenAnyway, long SameStart, long NothingWritten, long Other, double? WrittenAnywayShare)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static RejectionOutcomeRow Read(NpgsqlDataReader r) => new(
            r.Get<string>(0) ?? "", r.Get<long>(1), r.Get<long>(2), r.Get<long>(3), r.Get<long>(4), r.Get<long>(5), r.Get<long>(6), r.Get<double?>(7));
    }

    /// <summary><c>analysis.hourly_usage</c>.</summary>
    internal sealed record HourlyUsageRow(int HourOfDay, long Queries, long Participants, long Shown, long Accepted, double? AcceptanceRate)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static HourlyUsageRow Read(NpgsqlDataReader r) => new(
            r.Get<int>(0), r.Get<long>(1), r.Get<long>(2), r.Get<long>(3), r.Get<long>(4), r.Get<double?>(5));
    }

    /// <summary><c>analysis.language_usage</c>.</summary>
    internal sealed record LanguageUsageRow(
        string Language, long Queries, long Participants, long Shown, long Accepted, double? AcceptanceRate, double? AcceptanceCiLow, double? AcceptanceCiHigh)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static LanguageUsageRow Read(NpgsqlDataReader r) => new(
            r.Get<string>(0) ?? "", r.Get<long>(1), r.Get<long>(2), r.Get<long>(3), r.Get<long>(4), r.Get<double?>(5), r.Get<double?>(6),
            r.Get<double?>(7));
    }

    /// <summary><c>analysis.time_since_last_histogram</c>.</summary>
    internal sealed record TimeSinceLastBinRow(
        string Measure, int Bin, int? LowSeconds, int? HighSeconds, long Queries, double Share, long Shown, long Accepted, double? AcceptanceRate)
    {
        /// <summary>A row read by position, in the order of the constructor (and of the columns the repository selects).</summary>
        public static TimeSinceLastBinRow Read(NpgsqlDataReader r) => new(
            r.Get<string>(0) ?? "", r.Get<int>(1), r.Get<int?>(2), r.Get<int?>(3), r.Get<long>(4), r.Get<double>(5), r.Get<long>(6), r.Get<long>(7),
            r.Get<double?>(8));
    }
}
