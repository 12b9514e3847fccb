import Foundation
import Trawl

/// Opens the input list.
enum InputFile {
    /// The list, and the identity of the file it is read from, if a regular file (stdin may be one too).
    struct Opened {
        var reader: LineReader
        var identity: FileIdentity?
    }

    static func open(_ path: String) throws(ExitError) -> Opened {
        if path == "-" {
            guard !StandardStreams.inputWasClosed else {
                throw ExitError(
                    code: .noInput, message: "standard input is closed: give the list as a file, or pipe it in")
            }
            // A file redirected in (`trawl - < urls.txt.gz`) is checked as a named one; a pipe cannot be.
            if let format = compression(of: STDIN_FILENO) {
                throw compressed("standard input", format, example: "\(format.tool) FILE | trawl -")
            }
            return Opened(
                reader: LineReader(fd: STDIN_FILENO, closeOnDeinit: false), identity: FileIdentity(fd: STDIN_FILENO))
        }
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ExitError(
                code: .noInput, message: "cannot read the input '\(path)': \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ExitError(code: .noInput, message: "cannot read the input '\(path)': it is a directory")
        }
        if let format = compression(of: fd) {
            close(fd)
            throw compressed("the input '\(path)'", format, example: "trawl <(\(format.tool) '\(path)')")
        }
        return Opened(reader: LineReader(fd: fd, closeOnDeinit: true), identity: FileIdentity(info))
    }

    private static func compressed(
        _ input: String, _ format: (name: String, tool: String), example: String
    ) -> ExitError {
        ExitError(
            code: .noInput,
            message: "\(input) is \(format.name)-compressed and trawl reads plain text: give it decompressed, as in "
                + example)
    }

    /// The compressed format a file opens with the magic number of, read without moving its offset (`nil` for
    /// anything else, a file too short to tell, or one that cannot be read at an offset, as a pipe).
    static func compression(of fd: Int32) -> (name: String, tool: String)? {
        var head = [UInt8](repeating: 0, count: 6)
        let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard got >= 2 else { return nil }
        // bzip2's "BZh" is followed by its block size, a digit 1-9: "BZh" alone could open a line of text.
        let formats: [(magic: [UInt8], name: String, tool: String)] =
            [
                ([0x1F, 0x8B], "gzip", "zcat"),
                ([0x28, 0xB5, 0x2F, 0xFD], "zstd", "zstdcat"),
                ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz", "xzcat"),
                ([0x50, 0x4B, 0x03, 0x04], "zip", "unzip -p"),
            ] + (0x31...0x39).map { ([0x42, 0x5A, 0x68, $0], "bzip2", "bzcat") }
        let format = formats.first { format in
            got >= format.magic.count && head.starts(with: format.magic)
        }
        return format.map { ($0.name, $0.tool) }
    }
}
