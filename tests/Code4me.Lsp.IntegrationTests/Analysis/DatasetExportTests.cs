using System.Text;
using Code4me.Lsp.IntegrationTests.Support;
using Parquet;

namespace Code4me.Lsp.IntegrationTests.Analysis;

/// <summary>
/// <c>code4me-lsp data export-dataset</c> (the executable, as a code4me_analyst login) over the <see cref="StudySeed"/>:
/// a file per view, pseudonymous ids under a per-export salt, code only on request, a data card from the COMMENTs.
/// </summary>
public sealed class DatasetExportTests(StudyDatabaseFixture fixture) : IClassFixture<StudyDatabaseFixture>, IDisposable
{
    private static readonly string[] s_views =
    [
        "ab_arms", "calibration_bins", "calibration_summary", "chat_messages", "chat_summary", "completion_generations", "completion_queries",
        "daily_usage", "data_completeness", "generation_time_histogram", "hourly_usage", "language_usage", "model_comparison", "model_performance",
        "overview", "rejection_outcomes", "retention_measurements", "retention_survival", "time_since_last_histogram", "typing_speed_histogram",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("code4me-dataset-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ExportDataset_Csv_AFilePerViewPseudonymousIdsNoCodeAndADataCard()
    {
        var folder = await ExportAsync("csv", "csv");

        Assert.Equal(["README.md", .. s_views.Select(v => v + ".csv")], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var queries = ReadCsv(Path.Combine(folder, "completion_queries.csv"));
        var generations = ReadCsv(Path.Combine(folder, "completion_generations.csv"));
        Assert.Equal((await BaseTables.OverviewAsync(fixture.Database)).Queries, queries.Count);

        // Pseudonyms: two participants, none of them an id the database holds, the same in every file.
        var participants = queries.Select(r => r["participant_id"]).ToHashSet();
        var installations = await fixture.Database.QueryAsync<string>("SELECT replace(installation_id::text, '-', '') FROM session WHERE installation_id IS NOT NULL");
        Assert.Equal(2, participants.Count);
        Assert.All(participants, p => Assert.Matches("^[0-9a-f]{32}$", p));
        Assert.Empty(participants.Intersect(installations));
        Assert.Equal(participants, generations.Select(r => r["participant_id"]).ToHashSet());

        // No code without --include-code: neither the columns nor the text.
        Assert.DoesNotContain("completion", generations[0].Keys);
        Assert.DoesNotContain("ground_truth", generations[0].Keys);
        Assert.All(Directory.GetFiles(folder), f => Assert.DoesNotContain("value_0 = 0", File.ReadAllText(f), StringComparison.Ordinal));

        // The data card names every file and documents every exported column with the view's COMMENT.
        var card = await File.ReadAllTextAsync(Path.Combine(folder, "README.md"));
        foreach (var view in s_views)
        {
            Assert.Contains($"## {view}.csv", card, StringComparison.Ordinal);
        }

        Assert.All(queries[0].Keys, column => Assert.Contains($"| `{column}` |", card, StringComparison.Ordinal));
        Assert.Contains("The model whose answer was shown first", card, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportDataset_ParquetWithCode_IsReadableHasTheTextAndNewPseudonyms()
    {
        var csv = ReadCsv(Path.Combine(await ExportAsync("csv", "csv"), "completion_generations.csv"));
        var folder = await ExportAsync("parquet", "parquet", "--include-code");

        await using var reader = await ParquetReader.CreateAsync(Path.Combine(folder, "completion_generations.parquet"));
        var fields = reader.Schema.GetDataFields();
        var completions = new List<string?>();
        var participants = new List<string?>();
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var rows = reader.OpenRowGroupReader(group);
            completions.AddRange(await ReadStringsAsync(rows, fields.Single(f => f.Name == "completion")));
            participants.AddRange(await ReadStringsAsync(rows, fields.Single(f => f.Name == "participant_id")));
        }

        Assert.Equal(await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM had_generation JOIN completion_query USING (meta_query_id)"), completions.Count);
        Assert.Contains("value_0 = 0", completions);
        Assert.Equal("The answer's text (code).", reader.CustomMetadata!["completion"]);
        Assert.Equal(2, participants.Distinct().Count());
        Assert.Empty(participants.Intersect(csv.Select(r => r["participant_id"])));   // a new salt per export
    }

    [Fact]
    public async Task ExportDataset_IntoAFolderThatHoldsFiles_IsRefusedWithExitCode1()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "busy")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "keep.txt"), "mine");

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("data", "export-dataset", "--database", fixture.AnalystConnectionString, "--out", folder);

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("is not empty", stderr, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ExportDataset_AsAnAnalyst_IsAuditedWithItsFilesAndLogin()
    {
        var before = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'dataset_exported'");
        var folder = await ExportAsync("audited", "csv");

        var audit = await fixture.Database.QueryAsync<(string EventType, string Login, string Format, bool IncludeCode, long Rows, Guid? UserId)>("""
            SELECT event_type, detail->>'login', detail->>'format', (detail->>'include_code')::boolean, (detail->'files'->>'completion_queries.csv')::bigint, user_id
            FROM audit_log WHERE action = 'dataset_exported' ORDER BY occurred_at DESC LIMIT 1
            """);
        var row = Assert.Single(audit);
        Assert.Equal(before + 1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'dataset_exported'"));
        Assert.Equal(("export", "csv", false, (long)ReadCsv(Path.Combine(folder, "completion_queries.csv")).Count, (Guid?)null),
            (row.EventType, row.Format, row.IncludeCode, row.Rows, row.UserId));
        Assert.StartsWith("code4me_analyst_t", row.Login, StringComparison.Ordinal);   // the login that ran it (CreateLoginAsync names it)
    }

    [Fact]
    public async Task ExportDataset_Study_OnlyItsParticipantsWithinItsPeriodAndAudited()
    {
        // One installation, without an arm, over the first day: a quarter of the seed's queries, none of the other installation's.
        var installation = (await fixture.Database.QueryAsync<Guid>("SELECT installation_id FROM session WHERE installation_id IS NOT NULL ORDER BY 1 LIMIT 1")).Single();
        var name = "export-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.StudyCliAsync("study", "create", name, "--since", "2025-03-04", "--until", "2025-03-05");
        await fixture.StudyCliAsync("study", "enrol", name, "--installation", installation.ToString());

        var folder = await ExportAsync("study", "csv", "--study", name);

        var expected = await fixture.Database.ScalarAsync<long>(
            $"""SELECT count(*) FROM ({BaseTables.QueriesSql}) q WHERE installation_id = @Installation AND "timestamp" >= '2025-03-04Z' AND "timestamp" < '2025-03-05Z'""",
            new { Installation = installation });
        var queries = ReadCsv(Path.Combine(folder, "completion_queries.csv"));
        Assert.Equal(StudySeed.Queries / 4, expected);
        Assert.Equal(expected, queries.Count);
        Assert.Single(queries.Select(r => r["participant_id"]).Distinct());
        Assert.All(queries, r => Assert.StartsWith("2025-03-04", r["occurred_at"], StringComparison.Ordinal));
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(ReadCsv(Path.Combine(folder, "overview.csv")))["queries"]);
        Assert.All(ReadCsv(Path.Combine(folder, "ab_arms.csv")), a => Assert.Equal("shown_model", a["arm_source"]));   // no arms: the shown models
        Assert.Contains($"**Study {name}.**", await File.ReadAllTextAsync(Path.Combine(folder, "README.md")), StringComparison.Ordinal);
        Assert.Equal(name, await fixture.Database.ScalarAsync<string>(
            "SELECT detail->>'study' FROM audit_log WHERE action = 'dataset_exported' ORDER BY occurred_at DESC LIMIT 1"));
    }

    [Fact]
    public async Task ExportDataset_UnknownStudy_IsOneLineAndExitCode1AndWritesNothing()
    {
        var folder = Path.Combine(_folder, "unknown");

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync(
            "data", "export-dataset", "--database", fixture.AnalystConnectionString, "--out", folder, "--study", "no-such-study");

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Equal("No study is named 'no-such-study' (`code4me-lsp study list` lists them).", stderr.Trim());
        Assert.False(Directory.Exists(folder));
    }

    private async Task<string> ExportAsync(string name, string format, params string[] options)
    {
        var folder = Path.Combine(_folder, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync(
            ["data", "export-dataset", "--database", fixture.AnalystConnectionString, "--format", format, "--out", folder, .. options]);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"Wrote {s_views.Length} files and README.md", stdout, StringComparison.Ordinal);
        Assert.Contains("export: computing analysis.completion_queries", stderr, StringComparison.Ordinal);   // progress on stderr
        Assert.Contains("export: completion_queries." + format, stderr, StringComparison.Ordinal);
        return folder;
    }

    private static async Task<string?[]> ReadStringsAsync(ParquetRowGroupReader rows, Parquet.Schema.DataField field)
    {
        var values = new string?[rows.RowCount];
        await rows.ReadAsync(field, values.AsMemory(), null, TimeoutToken.Create());
        return values;
    }

    /// <summary>RFC 4180 with a header row: one dictionary per record.</summary>
    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var text = File.ReadAllText(path);
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                record.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
            {
                field.Append(c);
            }
        }

        var header = records[0];
        return [.. records.Skip(1).Select(r => header.Zip(r).ToDictionary(p => p.First, p => p.Second))];
    }
}
