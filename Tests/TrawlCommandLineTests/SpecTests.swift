import Testing
import TrawlCommandLine

@Suite("Command declarations")
struct SpecTests {
    @Test func optionKeyIsTheFirstLongNameWithoutDashes() {
        #expect(OptionSpec.option("-c", "--concurrency", "--jobs", valueName: "n", help: "").key == "concurrency")
    }

    @Test func optionKeyFallsBackToTheShortName() {
        #expect(OptionSpec.flag("-x", help: "").key == "x")
    }

    @Test func flagsTakeNoValueAndOptionsDo() {
        #expect(OptionSpec.flag("-q", help: "").isFlag)
        #expect(!OptionSpec.option("-c", valueName: "n", help: "").isFlag)
    }

    @Test func shortOnlyOptionIsLookedUpByItsCharacter() throws {
        let root = CommandSpec(name: "tool", options: [.option("-o", valueName: "file", help: "")])
        guard case .run(let command) = try CommandLineParser(root: root, version: "").parse(["-o", "out.txt"]) else {
            Issue.record("expected a command to run")
            return
        }
        #expect(command.value("o") == "out.txt")
        #expect(command.value("-o") == "out.txt")
    }
}
