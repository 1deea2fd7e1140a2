using Code4me.Lsp.Core.Completion.PostProcessing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// Answers completion queries: typed-ahead cache, then every configured model concurrently under the
/// deadline, post-processing of each answer, and the policy's choice. Never throws for a model failure;
/// throws <see cref="OperationCanceledException"/> only when the caller's token is cancelled.
/// </summary>
public sealed class CompletionService
{
    private readonly Func<CompletionOptions, IReadOnlyList<ICompletionModel>>? _build;
    private readonly IOptionsMonitor<CompletionOptions> _options;
    private readonly TypedAheadCache _cache;
    private readonly ILogger<CompletionService> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _modelsGate = new();
    private (CompletionOptions? Options, IReadOnlyList<ICompletionModel> Models) _current;

    /// <summary>A service that asks the same <paramref name="models"/> whatever the settings say (tests, benchmarks).</summary>
    public CompletionService(IEnumerable<ICompletionModel> models, IOptionsMonitor<CompletionOptions> options, TypedAheadCache cache, ILogger<CompletionService> logger, TimeProvider? time = null, CompletionStatus? status = null)
        : this(options, cache, logger, time, status) => _current = (null, [.. models]);

    /// <summary>
    /// A service whose models follow the settings: <paramref name="build"/> makes them from the current
    /// <see cref="CompletionOptions"/>, again after every change, so models configured by the editor at runtime are
    /// asked from the next query on; a query in flight finishes with the models it started with.
    /// </summary>
    public CompletionService(Func<CompletionOptions, IReadOnlyList<ICompletionModel>> build, IOptionsMonitor<CompletionOptions> options, TypedAheadCache cache, ILogger<CompletionService> logger, TimeProvider? time = null, CompletionStatus? status = null)
        : this(options, cache, logger, time, status) => _build = build;

    private CompletionService(IOptionsMonitor<CompletionOptions> options, TypedAheadCache cache, ILogger<CompletionService> logger, TimeProvider? time, CompletionStatus? status)
    {
        _options = options;
        _cache = cache;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        Status = status ?? new CompletionStatus();
        Status.Changed += LogOutage;
        _current = (null, []);
    }

    /// <summary>The models the next query asks, in configuration order.</summary>
    public IReadOnlyList<ICompletionModel> Models => ModelsFor(_options.CurrentValue);

    /// <summary>Names of the models asked per query, in configuration order.</summary>
    public IReadOnlyList<string> ModelNames => [.. Models.Select(m => m.Name)];

    /// <summary>Thinking, ready, or a model unreachable: what the editor's status shows.</summary>
    public CompletionStatus Status { get; }

    /// <summary>The typed-ahead cache (the handler forgets documents on didClose).</summary>
    public TypedAheadCache Cache => _cache;

    /// <summary>Runs one query. See the type remarks for failure behaviour.</summary>
    public async Task<CompletionOutcome> CompleteAsync(CompletionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var options = _options.CurrentValue;
        if (options.ManualOnly && context.TriggerKind == CompletionTriggerKind.Automatic)
        {
            return CompletionOutcome.Empty();
        }

        // Before the cache: a change of models empties it.
        var models = ModelsFor(options);
        if (_cache.TryServe(context, out var cached))
        {
            return cached;
        }

        var multiLine = LineMode.IsMultiLine(context.Prefix, context.Suffix, context.LanguageId);
        var request = new ModelRequest(context, multiLine);
        var queryId = Guid.CreateVersion7();
        var started = _time.GetTimestamp();
        var names = models.Select(m => m.Name).ToArray();

        // Models keep running after an early FirstToAnswer return, until the deadline or the caller cancels.
        var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, options.DeadlineMs)), _time);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var arrived = new List<ModelGeneration>();
        var gate = new Lock();
        var returned = false;
        // Completed outside the gate; the query's continuation may run inline on the answering model's thread.
        var firstUsable = new TaskCompletionSource();

        async Task RunAsync(ICompletionModel model)
        {
            var generation = await GenerateOneAsync(model, request, options, started, linked.Token, deadline.Token).ConfigureAwait(false);
            lock (gate)
            {
                generation = returned ? generation with { Late = true } : generation;
                arrived.Add(generation);
            }

            Status.Report(model.Name, generation.Error);
            if (generation.IsUsable)
            {
                firstUsable.TrySetResult();
            }
        }

        // Each model starts on this thread and runs until its first await: a remote model's request goes out without
        // a hop through the thread pool, and a model with CPU-bound work moves it off the thread itself.
        Status.Begin();
        var all = Task.WhenAll(models.Select(RunAsync).ToArray());
        _ = all.ContinueWith(_ => Status.End(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        // An invoked request waits for every model (until the deadline), so the editor can cycle through all answers.
        var waitForAll = options.Policy != SelectionPolicy.FirstToAnswer || context.TriggerKind == CompletionTriggerKind.Invoked;
        try
        {
            // A model that ignores its token cannot hold the query past the deadline.
            var target = waitForAll ? all : Task.WhenAny(all, firstUsable.Task);
            await Task.WhenAny(target, Task.Delay(Timeout.Infinite, deadline.Token)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await linked.CancelAsync().ConfigureAwait(false);
            throw;
        }

        ModelGeneration[] snapshot;
        lock (gate)
        {
            returned = true;
            snapshot = [.. arrived];
        }

        var chosen = GenerationSelector.Choose(snapshot, options.Policy, names, context.UserId);
        LogFailures(snapshot);
        var allGenerations = FinishAsync(all, arrived, gate, deadline, linked);
        var outcome = new CompletionOutcome
        {
            QueryId = queryId,
            Generations = snapshot,
            Chosen = chosen,
            MultiLine = multiLine,
            AllGenerations = allGenerations,
        };
        _cache.Remember(context, outcome);
        return outcome;
    }

    private static async Task<IReadOnlyList<ModelGeneration>> FinishAsync(Task all, List<ModelGeneration> arrived, Lock gate, CancellationTokenSource deadline, CancellationTokenSource linked)
    {
        try
        {
            await all.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // a caller cancellation: what arrived stays recorded
        }
        finally
        {
            linked.Dispose();
            deadline.Dispose();
        }

        lock (gate)
        {
            return [.. arrived];
        }
    }

    private async Task<ModelGeneration> GenerateOneAsync(ICompletionModel model, ModelRequest request, CompletionOptions options, long started, CancellationToken token, CancellationToken deadline)
    {
        RawGeneration raw;
        try
        {
            raw = await model.GenerateAsync(request, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            raw = RawGeneration.Failed(deadline.IsCancellationRequested ? "deadline exceeded" : "cancelled");
        }
#pragma warning disable CA1031 // a model must never take the query down
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug(ex, "Completion model {Model} threw", model.Name);
            }

            raw = RawGeneration.Failed($"{ex.GetType().Name}: {ex.Message}");
        }

        var elapsed = _time.GetElapsedTime(started).TotalMilliseconds;
        var context = request.Context;
        var stops = options.StopSequences.Concat(ModelStops(model.Name, options));
        var text = raw.Error is null ? CompletionPostProcessor.Process(raw.Text, context.Prefix, context.Suffix, request.MultiLine, stops) : "";
        return new ModelGeneration
        {
            ModelName = model.Name,
            Completion = text,
            RawCompletion = raw.Text,
            GenerationTimeMs = elapsed,
            Confidence = ModelGeneration.ConfidenceOf(raw.Logprobs),
            Logprobs = raw.Logprobs,
            PromptTokens = raw.PromptTokens,
            CompletionTokens = raw.CompletionTokens,
            Error = raw.Error,
        };
    }

    private static List<string> ModelStops(string name, CompletionOptions options)
        => options.EffectiveModels().FirstOrDefault(m => m.Name == name)?.StopSequences ?? [];

    /// <summary>The models for <paramref name="options"/>: built again when the settings changed since the last query.</summary>
    private IReadOnlyList<ICompletionModel> ModelsFor(CompletionOptions options)
    {
        if (_build is null)
        {
            return _current.Models;
        }

        lock (_modelsGate)
        {
            if (!ReferenceEquals(_current.Options, options))
            {
                var first = _current.Options is null;
                _current = (options, _build(options));
                Status.Retain(_current.Models.Select(m => m.Name));
                if (!first)
                {
                    _cache.Clear();   // a suggestion of the old set is not the new set's to continue
                }
            }

            return _current.Models;
        }
    }

    /// <summary>Every failure in detail, at Debug only: the user hears of an outage once, from <see cref="LogOutage"/>.</summary>
    private void LogFailures(ModelGeneration[] generations)
    {
        if (!_logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        foreach (var failed in generations.Where(g => g.Error is not null))
        {
            _logger.LogDebug("Completion model {Model} failed: {Error}", failed.ModelName, failed.Error);
        }
    }

    private void LogOutage(CompletionStatusChange change)
    {
        if (change.OutageModel is { } model)
        {
            _logger.LogWarning("Completion model {Model} is unreachable ({Error}); suggestions come from the other models until it answers again.", model, change.OutageError);
        }
    }
}
