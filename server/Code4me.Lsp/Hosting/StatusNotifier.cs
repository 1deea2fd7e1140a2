using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// Tells the editor what completion is doing (<c>code4me/status</c>: ready, thinking, unreachable, and whether consent
/// is on) from <c>initialized</c> on, each time it changes; and, once per outage, that a configured model is unreachable
/// (<c>window/showMessage</c> Warning). Notifications go out in the order the changes happened.
/// </summary>
internal sealed class StatusNotifier : IDisposable
{
    private readonly ClientChannel _client;
    private readonly CompletionStatus _status;
    private readonly IOptionsMonitor<ConsentOptions> _consent;
    private readonly Lock _gate = new();
    private IDisposable? _consentSubscription;
    private StatusParams? _last;
    private Task _tail = Task.CompletedTask;
    private bool _started;

    public StatusNotifier(ClientChannel client, CompletionService completions, IOptionsMonitor<ConsentOptions> consent)
    {
        _client = client;
        _status = completions.Status;
        _consent = consent;
    }

    /// <summary>Sends the first status and follows every change from now on.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            _started = true;
        }

        _status.Changed += OnChanged;
        _consentSubscription = _consent.OnChange(_ => OnChanged(null));
        OnChanged(null);
    }

    public void Dispose()
    {
        _status.Changed -= OnChanged;
        _consentSubscription?.Dispose();
    }

    private void OnChanged(CompletionStatusChange? change)
    {
        lock (_gate)
        {
            if (change?.OutageModel is { } model)
            {
                var warning = new ShowMessageParams
                {
                    Type = MessageType.Warning,
                    Message = $"Code4me: completion model '{model}' is unreachable ({change.OutageError}). Suggestions come from the other models until it answers again.",
                };
                Send(LspMethods.WindowShowMessage, warning, LspJson.TypeInfo<ShowMessageParams>());
            }

            var status = ProtocolConversions.ToStatus(_status.State, _consent.CurrentValue.Enabled, _status.Unreachable);
            if (_last is { } last && last.State == status.State && last.Consent == status.Consent && last.Message == status.Message)
            {
                return;
            }

            _last = status;
            Send(LspMethods.Code4meStatus, status, LspJson.TypeInfo<StatusParams>());
        }
    }

    private void Send<T>(string method, T parameters, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        _tail = _tail.ContinueWith(_ => _client.NotifyAsync(method, parameters, typeInfo), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
}
