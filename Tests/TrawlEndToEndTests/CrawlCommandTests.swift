import Foundation
import Testing
import TrawlTestSite

@Suite(.timeLimit(.minutes(1))) struct CrawlCommandTests {
    let site: TestSite
    let directory = TrawlProcess.temporaryDirectory()

    init() throws {
        site = try TestSite()
    }

    private func write(_ lines: [String], to name: String = "urls.txt") -> String {
        let path = directory.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
        return path
    }

    @Test(arguments: [[], ["--event-loops", "3"]])
    func stdinInStdoutOutAllOkExitsZero(_ loops: [String]) async throws {
        let urls = (0..<20).map { site.url("/page/\($0)", host: site.hosts[$0 % 3]) }
        let output = try await TrawlProcess.run(
            ["-", "--progress", "never"] + loops, stdin: (urls + urls).joined(separator: "\n"))
        #expect(output.status == 0, "\(output.stderr)")
        let records = try output.records()
        #expect(records.count == 20)
        #expect(Set(records.compactMap { $0["url"] as? String }) == Set(urls))
        #expect(!output.stderr.contains("\u{1B}"))
    }

    @Test func aListWithFailuresExitsOneAndStdoutStaysPureNDJSON() async throws {
        let evil = site.url("/status/404?x=%1B%5B31m")
        let lines = [
            "# comment", site.url("/page/a"), "", site.url("/status/404"), "bogus\u{1B}[2J", evil, site.url("/page/a"),
        ]
        let output = try await TrawlProcess.run([write(lines), "--max-attempts", "2", "--backoff-base", "0.01"])
        #expect(output.status == 1)
        let records = try output.records()
        #expect(records.count == 4)
        let byURL = Dictionary(uniqueKeysWithValues: records.map { ($0["url"] as! String, $0) })
        #expect(byURL[site.url("/page/a")]?["ok"] as? Bool == true)
        #expect(byURL[site.url("/status/404")]?["status"] as? Int == 404)
        #expect((byURL["bogus\u{1B}[2J"]?["error"] as? [String: Any])?["kind"] as? String == "invalid_url")
        // The summary names the counts, and nothing raw from the input reached stderr.
        #expect(!output.stderr.contains("\u{1B}"))
    }

    @Test func anExistingOutputIsRefusedUnlessResumedOrForced() async throws {
        let list = write([site.url("/page/1"), site.url("/page/2")])
        let out = directory.appendingPathComponent("out.ndjson").path
        _ = FileManager.default.createFile(atPath: out, contents: Data("keep me\n".utf8))
        let refused = try await TrawlProcess.run([list, "-o", out])
        #expect(refused.status == 73)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep me\n")
        let forced = try await TrawlProcess.run([list, "-o", out, "--force", "-q"])
        #expect(forced.status == 0 && forced.stderr.isEmpty)
        #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 2)
        let devNull = try await TrawlProcess.run([list, "-o", "/dev/null", "-q"])
        #expect(devNull.status == 0)
    }

    @Test func theInputFileIsRefusedAsTheOutputByAnyNameAndLeftUntouched() async throws {
        let text = site.url("/page/1") + "\n" + site.url("/page/2") + "\n"
        let list = write([site.url("/page/1"), site.url("/page/2")], to: "same.txt")
        let link = directory.appendingPathComponent("link.txt").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: list)
        let hard = directory.appendingPathComponent("hard.txt").path
        try FileManager.default.linkItem(atPath: list, toPath: hard)
        for arguments in [
            [list, "-o", list, "--force"], [list, "-o", link, "--force"], [link, "-o", list, "--resume"],
            [list, "-o", hard, "--force"], [list, "-o", list],
        ] {
            let output = try await TrawlProcess.run(arguments + ["-q"])
            #expect(output.status == 64, "\(arguments): \(output.stderr)")
            #expect(output.stderr.hasPrefix("Error: The output '"), "\(output.stderr)")
            #expect(output.stderr.contains("is the input file"), "\(output.stderr)")
            #expect(output.stderr.contains("See 'trawl --help'"), "\(output.stderr)")
            #expect(try String(contentsOfFile: list, encoding: .utf8) == text)
        }
        // Standard output appending to the list (`trawl same.txt >> same.txt`) is refused too.
        let process = ChildProcess()
        process.executableURL = TrawlProcess.executable
        process.arguments = [list, "-q"]
        let appending = try #require(FileHandle(forWritingAtPath: list))
        try appending.seekToEnd()
        process.standardOutput = appending
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try appending.close()
        #expect(process.terminationStatus == 64, "\(message)")
        #expect(message.hasPrefix("Error: Standard output is the input file"), "\(message)")
        #expect(try String(contentsOfFile: list, encoding: .utf8) == text)
    }

    @Test func dashAsTheOutputIsStandardOutputAndCannotBeResumedOrForced() async throws {
        let list = write([site.url("/page/1"), site.url("/page/2")], to: "dash.txt")
        let output = try await TrawlProcess.run([list, "-o", "-", "--progress", "never"], directory: directory)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try output.records().count == 2)
        #expect(output.stderr.contains("Records:  stdout"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("-").path))
        for flag in ["--resume", "--force"] {
            let refused = try await TrawlProcess.run([list, "-o", "-", flag], directory: directory)
            #expect(refused.status == 64, "\(flag): \(refused.stderr)")
            #expect(refused.stderr.hasPrefix("Error: \(flag) needs -o/--output naming a file"), "\(refused.stderr)")
        }
    }

    @Test func resumeCutsATornLineAndFetchesOnlyWhatIsMissing() async throws {
        let urls = (0..<6).map { site.url("/page/\($0)") }
        let list = write(urls)
        let out = directory.appendingPathComponent("resume.ndjson").path
        let first = try await TrawlProcess.run([write(Array(urls.prefix(3)), to: "first.txt"), "-o", out, "-q"])
        #expect(first.status == 0)
        // A crash mid-write leaves half a line.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"url":"\#(urls[3])","ok":tr"#.utf8))
        try handle.close()
        site.resetStatistics()
        let resumed = try await TrawlProcess.run([list, "-o", out, "--resume", "--progress", "never"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(site.requestCount() == 3)
        // The summary says what was skipped (the progress counts it as done).
        #expect(
            resumed.stderr.contains("Resumed:  3 URLs already had a record; not fetched again"), "\(resumed.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6)
        let seen = try lines.map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["url"] as! String
        }
        #expect(Set(seen) == Set(urls) && seen.count == 6)
    }

    @Test func aResumedJobWithAnEarlierFailureStillExitsOne() async throws {
        let failing = site.url("/status/404")
        let out = directory.appendingPathComponent("failed-before.ndjson").path
        let first = try await TrawlProcess.run([write([failing, site.url("/page/f1")], to: "f.txt"), "-o", out, "-q"])
        #expect(first.status == 1)
        // The rest of the job succeeds, but the list's 404 is still a failure of the job.
        let list = write([failing, site.url("/page/f1"), site.url("/page/f2")], to: "f-all.txt")
        let resumed = try await TrawlProcess.run([list, "-o", out, "--resume", "--progress", "never"])
        #expect(resumed.status == 1, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("1 URL of this list already had a failed record"), "\(resumed.stderr)")
        // A list whose earlier records are all ok exits 0.
        let okList = write([site.url("/page/f1"), site.url("/page/f3")], to: "f-ok.txt")
        let clean = try await TrawlProcess.run([okList, "-o", out, "--resume", "-q"])
        #expect(clean.status == 0, "\(clean.stderr)")
    }

    @Test func resumeWithAnotherListCountsOnlyItsOwnURLsAsDone() async throws {
        let urls = (0..<6).map { site.url("/page/other\($0)") }
        let out = directory.appendingPathComponent("other.ndjson").path
        let first = try await TrawlProcess.run([write(Array(urls.prefix(4)), to: "four.txt"), "-o", out, "-q"])
        #expect(first.status == 0)
        site.resetStatistics()
        // Two of the four URLs with a record are in the new list; the other two are not part of this run.
        let list = write(Array(urls.suffix(4)), to: "last-four.txt")
        let resumed = try await TrawlProcess.run([list, "-o", out, "--resume", "--progress", "never"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(site.requestCount() == 2)
        #expect(
            resumed.stderr.contains("Resumed:  2 URLs already had a record; not fetched again"), "\(resumed.stderr)")
    }

    @Test func anOutputAnotherRunIsWritingIsRefusedEvenWithResumeOrForce() async throws {
        let urls = (0..<6).map { site.url("/page/\($0)") }
        let out = directory.appendingPathComponent("busy.ndjson").path
        // The first run reads a pipe that stays open: it holds the output until the test closes it.
        let (first, stdout, stderr) = try TrawlProcess.startStreaming(["-", "-o", out, "--progress", "never"])
        first.standardInputWriter.write(Data((urls[..<3].joined(separator: "\n") + "\n").utf8))
        func lines() -> [Substring] {
            ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n")
        }
        let deadline = Date().addingTimeInterval(10)
        while lines().count < 3, Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let list = write(urls)
        for flag in ["--resume", "--force"] {
            let second = try await TrawlProcess.run([list, "-o", out, flag, "--progress", "never"])
            #expect(second.status == 73, "\(flag): \(second.stderr)")
            #expect(second.stderr.contains("is being written by another trawl"), "\(second.stderr)")
        }
        // The refused runs fetched nothing and left the records alone (no truncation, no cut line).
        #expect(lines().count == 3)
        #expect(site.requestCount() == 3)
        first.standardInputWriter.write(Data((urls[3...].joined(separator: "\n") + "\n").utf8))
        try first.standardInputWriter.close()
        #expect(await TrawlProcess.finish(first.process, stdout, stderr).status == 0)
        #expect(lines().count == 6)
        // The lock ends with the run (a crash too): a resume after it runs, with nothing left to fetch.
        let resumed = try await TrawlProcess.run([list, "-o", out, "--resume", "--progress", "never"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(site.requestCount() == 6)
    }

    @Test func aListReadFromAFIFOLosesNoLine() async throws {
        // `trawl <(zcat urls.gz)` names a pipe: counting its lines for the progress total would read them too.
        let urls = (0..<1500).map { site.url("/page/\($0)", host: site.hosts[$0 % 3]) }
        let fifo = directory.appendingPathComponent("urls.fifo").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let out = directory.appendingPathComponent("fifo.ndjson").path
        let (process, stdout, stderr) = try TrawlProcess.start(
            [fifo, "-o", out, "-c", "64", "--per-host", "32", "--progress", "never"])
        let writer = try #require(FileHandle(forWritingAtPath: fifo))
        for start in stride(from: 0, to: urls.count, by: 100) {
            writer.write(Data(urls[start..<(start + 100)].map { $0 + "\n" }.joined().utf8))
            try await Task.sleep(for: .milliseconds(2))
        }
        try writer.close()
        let output = await TrawlProcess.finish(process, stdout, stderr)
        #expect(output.status == 0, "\(output.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == urls.count, "\(output.stderr)")
    }

    @Test func sigintStopsWithinGraceRecordsOnlyFinishedAndResumeCompletes() async throws {
        let slow = (0..<4).map { site.url("/slow/\($0)?delay=600", host: "127.0.0.1") }
        let waiting = site.url("/seq/sigint/503,200", host: "127.0.0.2")
        let rest = (0..<200).map { site.url("/slow/r\($0)?delay=400", host: "127.0.0.3") }
        let list = write(slow + [waiting] + rest)
        let out = directory.appendingPathComponent("sigint.ndjson").path
        let (process, stdout, stderr) = try TrawlProcess.start(
            [list, "-o", out, "--backoff-base", "30", "-c", "8", "--progress", "never"])
        let watched = site
        let signalled = await TrawlProcess.signal(process.processIdentifier, [SIGINT]) {
            watched.requestCount(path: "/seq/sigint/503,200") >= 1 && watched.inFlight(host: "127.0.0.1") >= 4
        }
        let output = await TrawlProcess.finish(process, stdout, stderr)
        #expect(output.status == 130, "\(output.stderr)")
        // Said at once, so nobody presses Ctrl-C again to find out whether the first one did anything.
        let stopping =
            "trawl: stopping: no new requests; waiting up to 10s for those in flight (Ctrl-C again to stop now)\n"
        #expect(output.stderr.hasPrefix(stopping + "Interrupted: the records are partial; --resume finishes the job."))
        // The slowest request in flight takes 0.6 s; the bound is below the 10 s grace and the 30 s backoff of the
        // 503, either of which a run waiting on the wrong thing would sit out, and leaves room for a loaded machine
        // (a full suite on 2 cores once took 5.0 s).
        #expect(output.ended.timeIntervalSince(signalled) < 8)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let urls = text.split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["url"] as? String
        }
        #expect(!urls.contains(waiting))
        for url in slow { #expect(urls.contains(url)) }
        #expect(urls.count < 205)
        let resumed = try await TrawlProcess.run([list, "-o", out, "--resume", "-q", "-c", "64", "--per-host", "64"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let final = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(final.count == 205)
    }

    @Test func fourShardsPartitionEightHostsWithNothingMissingAndNothingTwice() async throws {
        let hosts = (1...8).map { "127.0.0.\($0)" }
        let wide = try TestSite(hosts: hosts)
        let urls = (0..<80).map { wide.url("/page/\($0)", host: hosts[$0 % 8]) } + ["not a url"]
        let list = write(urls, to: "sharded.txt")
        var seen: [String] = []
        var hostsPerShard: [Set<String>] = []
        for index in 1...4 {
            let environment =
                index == 4 ? ["JOB_COMPLETION_INDEX": "3", "TRAWL_SHARDS": "4"] : ["TRAWL_SHARD": "\(index)/4"]
            let output = try await TrawlProcess.run([list, "-q"], environment: environment)
            let shardURLs = try output.records().map { $0["url"] as! String }
            seen += shardURLs
            hostsPerShard.append(Set(shardURLs.compactMap { URL(string: $0)?.host }))
        }
        #expect(seen.count == urls.count)
        #expect(Set(seen) == Set(urls))
        for a in 0..<4 { for b in (a + 1)..<4 { #expect(hostsPerShard[a].isDisjoint(with: hostsPerShard[b])) } }
        wide.shutdown()
    }
}

extension CrawlCommandTests {
    @Test func recordsStreamOutBeforeTheInputEnds() async throws {
        let (process, stdout, stderr) = try TrawlProcess.startStreaming(["-", "--progress", "never"])
        stdout.fileHandleForReading.readabilityHandler = nil
        process.standardInputWriter.write(Data((site.url("/page/first") + "\n").utf8))
        // The first record arrives while stdin is still open: the list is streamed, not read whole first.
        var received = Data()
        let deadline = Date().addingTimeInterval(10)
        while !received.contains(UInt8(ascii: "\n")), Date() < deadline {
            received.append(stdout.fileHandleForReading.availableData)
        }
        #expect(String(decoding: received, as: UTF8.self).contains("/page/first"))
        process.standardInputWriter.write(Data((site.url("/page/second") + "\n").utf8))
        try process.standardInputWriter.close()
        let rest = await TrawlProcess.finish(process.process, stdout, stderr)
        #expect(rest.status == 0)
        #expect(rest.stdout.contains("/page/second"))
    }
}

extension CrawlCommandTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs Linux's /dev/full"))
    func anOutputThatCannotBeWrittenStopsTheCrawl() async throws {
        // Unstopped, the 200 URLs take 5 s at 2 at a time; the first failed write must end the fetching.
        let urls = (0..<200).map { site.url("/slow/full\($0)?delay=50", host: site.hosts[$0 % 3]) }
        let output = try await TrawlProcess.run([
            write(urls, to: "full.txt"), "-o", "/dev/full", "-c", "2", "--progress", "never",
        ])
        #expect(output.status == 73, "\(output.stderr)")
        #expect(output.stderr.contains("No space left on device; stopping"), "\(output.stderr)")
        let fetched = site.requests().filter { $0.path.hasPrefix("/slow/full") }.count
        #expect(fetched < 30, "fetched \(fetched) URLs after the output failed")
    }

    @Test func aSignalStopsARunWhoseStdinIsIdle() async throws {
        // Whatever writes to stdin keeps it open and sends nothing more: the signal must not wait for it.
        let (process, stdout, stderr) = try TrawlProcess.startStreaming(["-", "--progress", "never"])
        process.standardInputWriter.write(Data((site.url("/page/idle") + "\n").utf8))
        var received = Data()
        let deadline = Date().addingTimeInterval(10)
        while !received.contains(UInt8(ascii: "\n")), Date() < deadline {
            received.append(stdout.fileHandleForReading.availableData)
        }
        let signalled = Date()
        process.process.interrupt()
        let rest = await TrawlProcess.finish(process.process, stdout, stderr)
        #expect(rest.ended.timeIntervalSince(signalled) < 6, "the run waited on its idle stdin")
        #expect(rest.status == 130, "\(rest.stderr)")
        #expect(rest.stderr.contains("again to stop now)\nInterrupted: the records are partial.\n"), "\(rest.stderr)")
        #expect(String(decoding: received, as: UTF8.self).contains("/page/idle"))
        try process.standardInputWriter.close()
    }

    @Test(arguments: [false, true])
    func aHangUpStopsTheRunLikeSIGTERMUnlessNohupIgnoresIt(underNohup: Bool) async throws {
        // A closed terminal: the records that finished are flushed and the summary says so, as for SIGTERM;
        // started with SIGHUP ignored (nohup), the run goes on to the end.
        let tag = underNohup ? "nohup" : "hup"
        // The first two hold both slots for 1.5 s, so the signal lands while they are in flight even when the
        // test's polling runs late on a busy machine.
        let urls = (0..<6).map { site.url("/slow/\(tag)\($0)?delay=\($0 < 2 ? 1500 : 100)", host: "127.0.0.1") }
        let out = directory.appendingPathComponent("\(tag).ndjson").path
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let ignore = underNohup ? "trap '' HUP; " : ""
        process.arguments = [
            "-c", ignore + "exec \"$0\" \"$@\"", TrawlProcess.executable.path, write(urls, to: "\(tag).txt"), "-o",
            out, "-c", "2", "--grace", "2.5", "--progress", "never",
        ]
        let (stdout, stderr) = (Pipe(), Pipe())
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let watched = site
        // Twice, as a closing terminal does (the shell to its jobs, the kernel to the foreground group).
        _ = await TrawlProcess.signal(process.processIdentifier, [SIGHUP, SIGHUP]) {
            watched.inFlight(host: "127.0.0.1") >= 2
        }
        let output = await TrawlProcess.finish(process, stdout, stderr)
        let records = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        if underNohup {
            #expect(output.status == 0, "\(output.stderr)")
            #expect(records.count == 6)
        } else {
            #expect(output.status == 129, "\(output.stderr)")
            #expect(
                output.stderr.contains("waiting up to 2.5s for those in flight\nInterrupted: the records are partial;"))
            #expect(records.count == 2, "the two in flight finish; nothing new starts")
        }
    }

    @Test(arguments: [false, true])
    func aSecondSignalExitsEvenWhenTheOutputTakesNoWrites(stderrToo: Bool) async throws {
        // Standard output is a pipe nobody reads (with `2>&1`, standard error too): once it is full, trawl's writes
        // block. The second signal must still end the run, not wait for a reader that may never come.
        // URLs of 1 KB: records of 2 KB, so the pipe's 64 KB are full after some 32 of them.
        let long = String(repeating: "x", count: 1000)
        let urls = (0..<3000).map { site.url("/page/\($0)-\(long)", host: site.hosts[$0 % 3]) }
        let process = ChildProcess()
        process.executableURL = TrawlProcess.executable
        process.arguments = [write(urls, to: "stalled.txt"), "-o", "-", "-c", "16", "--progress", "never"]
        let (stalled, stderr) = (Pipe(), Pipe())
        process.standardOutput = stalled
        process.standardError = stderrToo ? stalled : stderr
        try process.run()
        let watched = site
        let start = await TrawlProcess.signal(process.processIdentifier, [SIGINT, SIGINT]) {
            watched.requestCount() >= 200  // some 400 KB of records
        }
        let pid = process.processIdentifier
        let ended = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            Thread {
                let deadline = Date().addingTimeInterval(10)
                // Gone once reaped: kill then finds no such process.
                while Date() < deadline, kill(pid, 0) == 0 { usleep(5000) }
                continuation.resume(returning: kill(pid, 0) != 0)
            }.start()
        }
        #expect(ended, "still running \(Date().timeIntervalSince(start)) s after the second signal")
        if !ended { kill(pid, SIGKILL) }
        // Unused with `2>&1`: close its writing end so reading it ends.
        if stderrToo { try stderr.fileHandleForWriting.close() }
        let output = await TrawlProcess.finish(process, stalled, stderr)
        #expect(output.status == 130, "\(output.stderr)")
        if !stderrToo {
            #expect(output.stderr.contains("the output takes no more writes"), "\(output.stderr)")
            #expect(output.stderr.contains("Interrupted: the records are partial."), "\(output.stderr)")
        }
    }

    @Test func aSecondSignalExitsAtOnceLeavingOnlyWholeLines() async throws {
        // Pages that take 15 s: a run that let them finish would take far longer than one the second signal ends
        // (the bound below leaves room for a full suite loading 2 cores, where 5.1 s was once seen).
        let urls = (0..<40).map { site.url("/slow/\($0)?delay=15000", host: site.hosts[$0 % 3]) }
        let out = directory.appendingPathComponent("twice.ndjson").path
        let (process, stdout, stderr) = try TrawlProcess.start([
            write(urls, to: "twice.txt"), "-o", out, "--progress", "never",
        ])
        let watched = site
        let start = await TrawlProcess.signal(process.processIdentifier, [SIGINT, SIGINT]) { watched.inFlight() >= 6 }
        let output = await TrawlProcess.finish(process, stdout, stderr)
        #expect(output.status == 130)
        #expect(output.ended.timeIntervalSince(start) < 8, "the second signal did not end the run at once")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.isEmpty || text.hasSuffix("\n"))
    }

    /// A Node.js or asyncio parent may hand down non-blocking pipes; one read slower than trawl writes is
    /// waited on, not taken for a failed output (exit 73 with a torn line).
    @Test func aNonBlockingStdoutReadSlowlyGetsEveryRecord() async throws {
        let urls = (0..<1500).map { site.url("/page/\($0)", host: site.hosts[$0 % 3]) }
        let list = write(urls)
        let process = ChildProcess()
        process.executableURL = TrawlProcess.executable
        process.arguments = [list, "--progress", "never"]
        let out = Pipe()
        let err = Pipe()
        for pipe in [out, err] {
            let fd = pipe.fileHandleForWriting.fileDescriptor
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let reader = out.fileHandleForReading.fileDescriptor
        let stdout = await withCheckedContinuation { continuation in
            Thread {
                // Nothing is read until the pipe is full (holds 32 KiB or more and has stopped filling) or
                // trawl has exited: trawl has more to write than the pipe takes, so it meets EAGAIN.
                var available = 0
                var stalled = 0
                while process.isRunning, available < 32_768 || stalled < 300 {
                    let before = available
                    usleep(1000)
                    guard let now = PipeFill.bytesWaiting(in: reader) else { break }
                    available = now
                    stalled = available == before ? stalled + 1 : 0
                }
                continuation.resume(returning: out.fileHandleForReading.readDataToEndOfFile())
            }.start()
        }
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(process.terminationStatus == 0, "\(String(decoding: stderr, as: UTF8.self))")
        #expect(lines.count == urls.count + 1 && lines.last == "")
        #expect(stdout.count > 65_536, "the records fit the pipe: the test proves nothing")
    }
}
