#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// libbrotlidec's streaming decoder, found with `dlsym` in the library libcurl links where it was built with
/// brotli (Debian's is), as ``Zlib`` finds zlib's: our own declarations of five fixed-arity functions, no headers.
/// Immutable after loading; the library is never closed.
final class Brotli: @unchecked Sendable {
    typealias State = OpaquePointer

    /// `BrotliDecoderCreateInstance(alloc, free, opaque)`; nil functions mean malloc and free.
    typealias Create = @convention(c) (UnsafeRawPointer?, UnsafeRawPointer?, UnsafeMutableRawPointer?) -> State?
    typealias Destroy = @convention(c) (State?) -> Void
    typealias Decompress =
        @convention(c) (
            State?, UnsafeMutablePointer<Int>?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
            UnsafeMutablePointer<Int>?,
            UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, UnsafeMutablePointer<Int>?
        ) -> Int32
    typealias ErrorCode = @convention(c) (State?) -> Int32
    typealias ErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?

    let createInstance: Create
    let destroyInstance: Destroy
    /// `BrotliDecoderDecompressStream(state, &available_in, &next_in, &available_out, &next_out, &total_out)`.
    let decompressStream: Decompress
    let errorCode: ErrorCode
    let errorString: ErrorString

    /// `BrotliDecoderResult`.
    static let error: Int32 = 0
    static let success: Int32 = 1
    static let needsMoreInput: Int32 = 2
    static let needsMoreOutput: Int32 = 3

    /// The process's libbrotlidec, or nil when there is none (trawl then does not ask for `br`).
    static let shared: Brotli? = RuntimeLibrary.open(
        darwin: ["libbrotlidec.1.dylib", "libbrotlidec.dylib"], other: ["libbrotlidec.so.1", "libbrotlidec.so"],
        bind: Brotli.init(library:))

    private init?(library: UnsafeMutableRawPointer) {
        guard let create = dlsym(library, "BrotliDecoderCreateInstance"),
            let destroy = dlsym(library, "BrotliDecoderDestroyInstance"),
            let decompress = dlsym(library, "BrotliDecoderDecompressStream"),
            let code = dlsym(library, "BrotliDecoderGetErrorCode"),
            let string = dlsym(library, "BrotliDecoderErrorString")
        else { return nil }
        createInstance = unsafeBitCast(create, to: Create.self)
        destroyInstance = unsafeBitCast(destroy, to: Destroy.self)
        decompressStream = unsafeBitCast(decompress, to: Decompress.self)
        errorCode = unsafeBitCast(code, to: ErrorCode.self)
        errorString = unsafeBitCast(string, to: ErrorString.self)
    }
}
