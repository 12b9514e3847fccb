/// What `--transport auto` and a ``Crawler`` given no transport use: trawl's own HTTP/1.1 for plain `http://`
/// where it runs (Linux), in front of the transport that carries the rest.
public enum FastestTransport {
    /// ``NativeHTTPTransport`` in front of `fallback` on Linux (which then carries `https`, proxied requests and
    /// credentials in URLs); `fallback` alone elsewhere, or when the native transport cannot start.
    public static func inFront(of fallback: any Transport, configuration: CurlMultiTransport.Configuration)
        -> any Transport
    {
        #if os(Linux)
            if let native = try? NativeHTTPTransport(configuration: configuration, fallback: fallback) { return native }
        #endif
        return fallback
    }
}
