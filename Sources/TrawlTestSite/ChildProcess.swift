import Foundation
import Synchronization

/// A child process started with `posix_spawn`, with the part of Foundation's `Process` API the tests use.
///
/// Foundation's `Process.run()` on Linux (swift-corelibs-foundation 6.3.1) reads `/proc/self/fd` to close the
/// child's inherited descriptors and can read past glibc's directory buffer when the parent holds over ~1,300
/// descriptors, which a full parallel suite does: the run then crashes with a bad pointer dereference
/// (swift-corelibs-foundation#5472). Here the child's descriptors above 2 are closed by the spawn itself
/// (`posix_spawn_file_actions_addclosefrom_np`, or `POSIX_SPAWN_CLOEXEC_DEFAULT` on Darwin), and a thread of
/// the child's own reaps it as soon as it exits, as `Process` does.
public final class ChildProcess: @unchecked Sendable {
    /// The program to run.
    public var executableURL: URL?
    public var arguments: [String] = []
    /// The child's environment; nil for the parent's.
    public var environment: [String: String]?
    public var currentDirectoryURL: URL?
    /// A `Pipe` (the child gets the end it needs; the parent's copy of that end is closed once the child runs)
    /// or a `FileHandle`; nil, or `FileHandle.nullDevice`, for `/dev/null`, as with `Process`.
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?

    private struct State {
        var pid: pid_t = 0
        var status: Int32?
    }

    private let state = Mutex(State())
    private let exited = DispatchSemaphore(value: 0)

    public init() {}

    /// The child's process ID (0 before ``run()``).
    public var processIdentifier: Int32 { state.withLock { $0.pid } }

    /// Whether the child was started and has not been reaped yet.
    public var isRunning: Bool { state.withLock { $0.pid != 0 && $0.status == nil } }

    /// The exit status, or the number of the signal that ended the child (-1 if it could not be reaped); valid
    /// after ``waitUntilExit()``.
    public var terminationStatus: Int32 { state.withLock { $0.status ?? 0 } }

    /// Starts the child.
    /// - Throws: `TestSiteError` when the program cannot be spawned.
    public func run() throws {
        guard let executableURL else { throw TestSiteError(.socket, "ChildProcess: no executable") }
        #if canImport(Darwin)
            // Opaque pointers on Darwin, which `init` points at what it allocates.
            var actions: posix_spawn_file_actions_t?
            var attributes: posix_spawnattr_t?
        #else
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var parentEnds: [FileHandle] = []
        for (target, stream) in [(Int32(0), standardInput), (1, standardOutput), (2, standardError)] {
            var source: Int32 = -1
            switch stream {
            case let pipe as Pipe:
                source =
                    target == 0 ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor
                parentEnds.append(target == 0 ? pipe.fileHandleForReading : pipe.fileHandleForWriting)
            case let handle as FileHandle:
                source = handle.fileDescriptor  // -1 for FileHandle.nullDevice
            default:
                break
            }
            let added =
                source >= 0
                ? posix_spawn_file_actions_adddup2(&actions, source, target)
                : posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            guard added == 0 else { throw TestSiteError(.socket, "ChildProcess: file action failed: \(added)") }
        }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
            flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #else
            guard let closeFrom = Self.addCloseFrom else {
                throw TestSiteError(.socket, "ChildProcess: posix_spawn_file_actions_addclosefrom_np is missing")
            }
            _ = closeFrom(&actions, 3)
        #endif
        if let directory = currentDirectoryURL {
            guard let addChdir = Self.addChdir else {
                throw TestSiteError(.socket, "ChildProcess: posix_spawn_file_actions_addchdir_np is missing")
            }
            _ = directory.path.withCString { addChdir(&actions, $0) }
        }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigemptyset(&allSignals)
        for signal in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&allSignals, Int32(signal)) }
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = [executableURL.path] + arguments
        let environment = (self.environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = Self.withCStrings(argv) { argv in
            Self.withCStrings(environment) { envp in
                posix_spawn(&pid, executableURL.path, &actions, &attributes, argv, envp)
            }
        }
        guard result == 0 else {
            throw TestSiteError(.socket, "cannot start \(executableURL.path): \(String(cString: strerror(result)))")
        }
        for end in parentEnds { try? end.close() }
        let child = pid
        state.withLock { $0.pid = child }
        // Holds the child object until the child is reaped, however early the caller lets it go.
        Thread {
            var status: Int32 = 0
            var reaped = waitpid(child, &status, 0)
            while reaped < 0 && errno == EINTR { reaped = waitpid(child, &status, 0) }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import; -1 if the child was not ours to reap.
            let code = reaped < 0 ? -1 : status & 0x7F == 0 ? (status >> 8) & 0xFF : status & 0x7F
            self.state.withLock { $0.status = code }
            self.exited.signal()
        }.start()
    }

    /// Blocks until the child has exited and been reaped.
    public func waitUntilExit() {
        guard state.withLock({ $0.pid != 0 }) else { return }
        exited.wait()
        exited.signal()  // later callers return at once too
    }

    /// Sends SIGTERM.
    public func terminate() { signal(SIGTERM) }

    /// Sends SIGINT.
    public func interrupt() { signal(SIGINT) }

    private func signal(_ number: Int32) {
        state.withLock { state in
            if state.pid != 0 && state.status == nil { kill(state.pid, number) }
        }
    }

    #if canImport(Darwin)
        private typealias FileActions = posix_spawn_file_actions_t?
    #else
        private typealias FileActions = posix_spawn_file_actions_t
    #endif
    private typealias FileActionInt = @convention(c) (UnsafeMutablePointer<FileActions>, Int32) -> Int32
    private typealias FileActionPath = @convention(c) (UnsafeMutablePointer<FileActions>, UnsafePointer<CChar>) -> Int32

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which its Swift module does not declare.
    private static let addCloseFrom: FileActionInt? = symbol("posix_spawn_file_actions_addclosefrom_np")
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29, macOS 10.15).
    private static let addChdir: FileActionPath? = symbol("posix_spawn_file_actions_addchdir_np")

    private static func symbol<T>(_ name: String) -> T? {
        #if canImport(Darwin)
            let handle = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT
        #else
            let handle: UnsafeMutableRawPointer? = nil  // RTLD_DEFAULT
        #endif
        guard let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }

    /// Calls `body` with `strings` as a NULL-terminated array of C strings.
    private static func withCStrings<R>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
