package dev.tcplab.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every script of the library under {@code scenarios/scripts} runs as one test, and all must pass. */
class ScriptLibraryTest {
  static final Path LIBRARY = Path.of("scripts");

  static List<Path> scripts() throws IOException {
    try (Stream<Path> s = Files.walk(LIBRARY)) {
      return s.filter(p -> p.toString().endsWith(".pkt") || p.toString().endsWith(".tls"))
          .sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyScriptPasses() throws IOException {
    List<Path> files = scripts();
    assertThat(files).as("scripts in " + LIBRARY.toAbsolutePath()).isNotEmpty();
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
      ScriptRunner.Outcome o = new ScriptRunner().runFile(f);
      assertThat(o.passed()).as("%s%n%s", o.failure(), String.join("\n", o.log())).isTrue();
    }));
  }

  @TestFactory
  Stream<DynamicTest> everyScriptSaysWhatItShows() throws IOException {
    return scripts().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
      String first = Files.readAllLines(f).get(0);
      // The library's convention: the first line is a comment on the rule the script shows
      assertThat(first).startsWith("//");
      assertThat(Files.readString(f)).containsPattern("RFC \\d+|Linux");
    }));
  }
}
