using System.Net;

namespace Code4me.Lsp.Core.Completion.Remote;

/// <summary>
/// The environment's proxy (<c>HTTPS_PROXY</c>, <c>HTTP_PROXY</c>, <c>NO_PROXY</c> via
/// <see cref="HttpClient.DefaultProxy"/>), except that loopback addresses are never proxied.
/// </summary>
internal sealed class LoopbackBypassProxy(IWebProxy inner) : IWebProxy
{
    public ICredentials? Credentials
    {
        get => inner.Credentials;
        set => inner.Credentials = value;
    }

    public Uri? GetProxy(Uri destination) => IsBypassed(destination) ? null : inner.GetProxy(destination);

    public bool IsBypassed(Uri host) => IsLoopback(host) || inner.IsBypassed(host);

    public static bool IsLoopback(Uri uri)
        => uri.IsLoopback
            || string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
            || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address));
}
