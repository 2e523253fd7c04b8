using LlmTrack;
using LlmTrack.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LlmTrack in a service collection.</summary>
public static class LlmTrackServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="Tracker"/> configured by <paramref name="configure"/> (unset options fall back to
    /// MLflow's environment variables), <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is registered,
    /// and the named <see cref="HttpClient"/> <c>LlmTrack.Mlflow</c> the MLflow REST store uses.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddLlmTrack(this IServiceCollection services, Action<LlmTrackOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LlmTrackOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers a singleton <see cref="Tracker"/> whose options are bound from <paramref name="configuration"/>
    /// (e.g. <c>configuration.GetSection("LlmTrack")</c>); see <see cref="AddLlmTrack(IServiceCollection, Action{LlmTrackOptions})"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding the options.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddLlmTrack(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LlmTrackOptions>().Bind(configuration);
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // The REST store's named client, with the TLS/auth settings of the resolved options.
        services.AddMlflowHttpClient();
        services.TryAddSingleton(provider => new Tracker(
            provider.GetRequiredService<IOptions<LlmTrackOptions>>().Value,
            provider.GetService<IHttpClientFactory>(),
            provider.GetService<ILoggerFactory>(),
            provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
