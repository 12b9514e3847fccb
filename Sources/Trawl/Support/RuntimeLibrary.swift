#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds a C library at run time, as trawl finds the decoders libcurl links (zlib, libbrotlidec, libzstd): no
/// headers at build time, the library opened with `dlopen` and never closed.
enum RuntimeLibrary {
    /// The first of the platform's candidate names that `dlopen` opens and `bind` accepts (every symbol it needs
    /// resolves), or nil when none does.
    static func open<Library>(
        darwin: [String], other: [String], bind: (UnsafeMutableRawPointer) -> Library?
    ) -> Library? {
        #if canImport(Darwin)
            let candidates = darwin
        #else
            let candidates = other
        #endif
        for candidate in candidates {
            if let library = dlopen(candidate, RTLD_NOW | RTLD_LOCAL), let bound = bind(library) { return bound }
        }
        return nil
    }
}
