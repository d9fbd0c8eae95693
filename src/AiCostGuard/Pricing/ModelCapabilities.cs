namespace AiCostGuard;

/// <summary>What a model accepts beyond plain text, as far as routing a request to it depends on it.</summary>
/// <remarks>
/// The bundled catalog takes these from LiteLLM's <c>supports_function_calling</c>, <c>supports_vision</c>,
/// <c>supports_response_schema</c> and <c>supports_reasoning</c> flags. Configuration writes several as
/// <c>"Tools, ImageInput"</c>.
/// </remarks>
[Flags]
public enum ModelCapabilities
{
    /// <summary>Plain text in and out.</summary>
    None = 0,

    /// <summary>Tool (function) definitions and tool calls.</summary>
    Tools = 1,

    /// <summary>Images in the input.</summary>
    ImageInput = 2,

    /// <summary>A JSON schema as the response format (structured output).</summary>
    JsonSchema = 4,

    /// <summary>Reasoning options (effort, reasoning output).</summary>
    Reasoning = 8,
}
