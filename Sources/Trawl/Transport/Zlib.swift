import CTrawlCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// zlib's inflate functions, found with `dlsym` in the zlib the process already has (libcurl links it), as
/// ``LibCurl`` finds libcurl's: no headers at build time, our own declarations of the four fixed-arity functions.
/// Immutable after loading; the library is never closed.
final class Zlib: @unchecked Sendable {
    typealias Stream = UnsafeMutablePointer<trawl_z_stream>

    /// `inflateInit2_(stream, windowBits, version, sizeof(z_stream))`, which zlib's `inflateInit2` macro calls.
    let inflateInit2: @convention(c) (Stream?, Int32, UnsafePointer<CChar>?, Int32) -> Int32
    let inflate: @convention(c) (Stream?, Int32) -> Int32
    let inflateReset: @convention(c) (Stream?) -> Int32
    let inflateEnd: @convention(c) (Stream?) -> Int32
    /// What `zlibVersion()` says, passed back to `inflateInit2_`, which checks it against the layout it expects.
    let version: UnsafePointer<CChar>

    /// `inflate`'s results and the one flush mode trawl uses.
    static let ok: Int32 = 0
    static let streamEnd: Int32 = 1
    static let bufferError: Int32 = -5
    static let noFlush: Int32 = 0

    /// The process's zlib, or nil when none can be opened (trawl then asks servers for no content coding).
    static let shared: Zlib? = RuntimeLibrary.open(
        darwin: ["libz.1.dylib", "/usr/lib/libz.1.dylib"], other: ["libz.so.1", "libz.so"], bind: Zlib.init(library:))

    private init?(library: UnsafeMutableRawPointer) {
        guard let initialize = dlsym(library, "inflateInit2_"), let inflate = dlsym(library, "inflate"),
            let reset = dlsym(library, "inflateReset"), let end = dlsym(library, "inflateEnd"),
            let versionFunction = dlsym(library, "zlibVersion")
        else { return nil }
        typealias Version = @convention(c) () -> UnsafePointer<CChar>?
        // zlib 1.x keeps z_stream's layout; inflateInit2_ refuses any other major version.
        guard let version = unsafeBitCast(versionFunction, to: Version.self)(), version.pointee == 0x31 else {
            return nil
        }
        self.version = version
        typealias Initialize = @convention(c) (Stream?, Int32, UnsafePointer<CChar>?, Int32) -> Int32
        inflateInit2 = unsafeBitCast(initialize, to: Initialize.self)
        self.inflate = unsafeBitCast(inflate, to: (@convention(c) (Stream?, Int32) -> Int32).self)
        inflateReset = unsafeBitCast(reset, to: (@convention(c) (Stream?) -> Int32).self)
        inflateEnd = unsafeBitCast(end, to: (@convention(c) (Stream?) -> Int32).self)
    }

    /// `inflateInit2` for `stream`, whose fields must be zeroed (default allocator).
    func initialize(_ stream: Stream, windowBits: Int32) -> Int32 {
        inflateInit2(stream, windowBits, version, Int32(MemoryLayout<trawl_z_stream>.size))
    }
}
