using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Code4me.Lsp.Core.Completion.Remote;

/// <summary>The primary handler of the remote-model <see cref="HttpClient"/>: proxy and trust settings.</summary>
internal static class RemoteHttp
{
    /// <summary>Name of the IHttpClientFactory client used for every remote model.</summary>
    public const string ClientName = "Code4me.Completion.Remote";

    public static SocketsHttpHandler CreateHandler(string? caBundlePath)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = true,
            Proxy = new LoopbackBypassProxy(HttpClient.DefaultProxy),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        };
        if (!string.IsNullOrWhiteSpace(caBundlePath))
        {
            var extraRoots = new X509Certificate2Collection();
            extraRoots.ImportFromPemFile(caBundlePath);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, extraRoots),
            };
        }

        return handler;
    }

    /// <summary>System trust first; otherwise a chain to one of the extra roots (host name must still match).</summary>
    internal static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection extraRoots)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
