import CTrawlCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// libzstd's streaming decoder, found with `dlsym` in the library libcurl links where it was built with zstd
/// (Debian's is), as ``Zlib`` finds zlib's: our own declarations of six fixed-arity functions and of its two
/// buffer structures (`CTrawlZstd.h`), no headers. Immutable after loading; the library is never closed.
final class Zstd: @unchecked Sendable {
    typealias Context = OpaquePointer

    typealias Create = @convention(c) () -> Context?
    typealias Free = @convention(c) (Context?) -> Int
    typealias SetParameter = @convention(c) (Context?, Int32, Int32) -> Int
    typealias Decompress =
        @convention(c) (
            Context?, UnsafeMutablePointer<trawl_zstd_out_buffer>?, UnsafeMutablePointer<trawl_zstd_in_buffer>?
        ) -> Int
    typealias IsError = @convention(c) (Int) -> UInt32
    typealias ErrorName = @convention(c) (Int) -> UnsafePointer<CChar>?

    let createContext: Create
    let freeContext: Free
    /// `ZSTD_DCtx_setParameter(context, parameter, value)`, returning an error code or 0.
    let setParameter: SetParameter
    /// `ZSTD_decompressStream(context, &output, &input)`: 0 once a frame is decoded and flushed whole, else a hint
    /// of the input still to come, or an error code.
    let decompressStream: Decompress
    let isError: IsError
    let errorName: ErrorName

    /// `ZSTD_d_windowLogMax`, and the most trawl allows: 8 MiB, the window RFC 9659 limits the `zstd` content
    /// coding to, so a response cannot make a decoder take the default limit's 128 MiB.
    static let windowLogMaxParameter: Int32 = 100
    static let windowLogMax: Int32 = 23

    /// The process's libzstd, or nil when there is none (trawl then does not ask for `zstd`).
    static let shared: Zstd? = RuntimeLibrary.open(
        darwin: ["libzstd.1.dylib", "libzstd.dylib"], other: ["libzstd.so.1", "libzstd.so"], bind: Zstd.init(library:))

    private init?(library: UnsafeMutableRawPointer) {
        guard let create = dlsym(library, "ZSTD_createDCtx"), let free = dlsym(library, "ZSTD_freeDCtx"),
            let parameter = dlsym(library, "ZSTD_DCtx_setParameter"),
            let decompress = dlsym(library, "ZSTD_decompressStream"), let isError = dlsym(library, "ZSTD_isError"),
            let name = dlsym(library, "ZSTD_getErrorName")
        else { return nil }
        createContext = unsafeBitCast(create, to: Create.self)
        freeContext = unsafeBitCast(free, to: Free.self)
        setParameter = unsafeBitCast(parameter, to: SetParameter.self)
        decompressStream = unsafeBitCast(decompress, to: Decompress.self)
        self.isError = unsafeBitCast(isError, to: IsError.self)
        errorName = unsafeBitCast(name, to: ErrorName.self)
    }
}
