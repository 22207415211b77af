using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Commerce.Webhooks.Tests;

/// <summary>A receiving endpoint: answers from a script of responses, records what arrives and whether it verifies.</summary>
internal sealed class FlakyEndpoint(WebhookSecret secret) : IAsyncDisposable
{
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private int _inFlight;

    public ConcurrentQueue<(DateTimeOffset At, string Path, string Body, WebhookVerificationResult Verification)> Received { get; } = new();

    /// <summary>The path and query string of every request, in arrival order.</summary>
    public ConcurrentQueue<string> Targets { get; } = new();

    public int MaxInFlight;

    public TaskCompletionSource? Hold { get; set; }

    public TestWebApp App { get; private set; } = null!;

    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public static async Task<FlakyEndpoint> StartAsync(WebhookSecret secret)
    {
        var endpoint = new FlakyEndpoint(secret);
        endpoint.App = await TestWebApp.StartAsync(_ => { }, app => app.MapPost("/{**path}", endpoint.HandleAsync));
        return endpoint;
    }

    public void Then(int status, Action<HttpResponse>? headers = null) =>
        _script.Enqueue(context =>
        {
            context.Response.StatusCode = status;
            headers?.Invoke(context.Response);
            return Task.CompletedTask;
        });

    public void ThenBody(int status, string body) =>
        _script.Enqueue(async context =>
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(body);
        });

    public void ThenHang(TimeSpan delay) =>
        _script.Enqueue(context => Task.Delay(delay, context.RequestAborted));

    public ValueTask DisposeAsync() => App.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref MaxInFlight, inFlight);
        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var verifier = new StandardWebhookVerifier([secret], TimeSpan.FromDays(1), Clock);
            Targets.Enqueue(context.Request.Path + context.Request.QueryString);
            Received.Enqueue((Clock.GetUtcNow(), context.Request.Path, body, verifier.Verify(context.Request.Headers, Encoding.UTF8.GetBytes(body))));
            if (Hold is { } hold)
            {
                await hold.Task;
            }

            if (_script.TryDequeue(out var next))
            {
                await next(context);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
