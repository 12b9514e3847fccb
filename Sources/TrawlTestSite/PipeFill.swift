#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How many bytes wait unread in a pipe: for tests that hold a reader back until a writer has filled it.
public enum PipeFill {
    /// `FIONREAD` as `ioctl()` takes it here: Darwin's is an `_IOR('f', 127, int)` macro, which Swift does not
    /// import.
    #if canImport(Darwin)
        private static let request: UInt = 0x4004_667F
    #else
        private static let request = UInt(FIONREAD)
    #endif

    /// The bytes waiting in `fd`, or `nil` once it cannot be asked (closed, not a pipe).
    public static func bytesWaiting(in fd: Int32) -> Int? {
        var available: Int32 = 0
        return ioctl(fd, request, &available) == 0 ? Int(available) : nil
    }
}
