using Microsoft.Extensions.Options;

namespace Commerce.Caching.Internal;

/// <summary>Checks the [Range]/[Required]/[RegularExpression] rules of <see cref="CommerceCacheOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class CommerceCacheOptionsValidator : IValidateOptions<CommerceCacheOptions>
{
}
