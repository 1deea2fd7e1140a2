using System.Net;
using Code4me.Lsp.Core.Completion.Remote;

namespace Code4me.Lsp.Tests.Completion;

public class LoopbackBypassProxyTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/v1/completions", true)]
    [InlineData("http://localhost:11434/v1/completions", true)]
    [InlineData("http://[::1]:8000/v1/completions", true)]
    [InlineData("http://api.localhost/v1/completions", true)]
    [InlineData("https://models.example.com/v1/completions", false)]
    public void IsBypassed_LoopbackNeverProxied(string url, bool bypassed)
    {
        var proxy = new LoopbackBypassProxy(new WebProxy("http://proxy.corp:3128") { BypassProxyOnLocal = false });

        Assert.Equal(bypassed, proxy.IsBypassed(new Uri(url)));
        Assert.Equal(bypassed ? null : new Uri("http://proxy.corp:3128/"), proxy.GetProxy(new Uri(url)));
    }
}
