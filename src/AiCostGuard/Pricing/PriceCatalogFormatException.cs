namespace AiCostGuard;

/// <summary>Thrown when a price catalog file is malformed; the message names the entry and the field.</summary>
public sealed class PriceCatalogFormatException : FormatException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What is wrong, naming the entry and the field.</param>
    /// <param name="innerException">The parser's exception, if any.</param>
    public PriceCatalogFormatException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
