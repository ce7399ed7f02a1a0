package dev.lethe.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium driven over the DevTools protocol (the JDK's WebSocket client, no other
 * dependency), to look at a page as a person would: load it at a given width, collect every console error,
 * uncaught exception, browser log error and network request, measure the page's charts in the laid-out DOM,
 * and take a full-page screenshot.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /**
   * What a page showed.
   *
   * @param errors console errors, uncaught exceptions and browser log errors, in order
   * @param requests the URL of every request the page made, the page itself included
   * @param charts one object per {@code figure[data-chart]}: its name, whether it holds an SVG, the SVG's laid-out
   *     width and height, its number of drawn shapes and its texts
   * @param height the page's full height in CSS pixels
   * @param duplicateIds element ids used more than once (inline SVGs share one id space)
   */
  record Page(List<String> errors, List<String> requests, JsonNode charts, int height, List<String> duplicateIds) {}

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private volatile CountDownLatch loaded = new CountDownLatch(1);

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** The Chromium binary: {@code $LETHE_CHROMIUM}, else {@code chromium} on the PATH; null when there is none. */
  static Path binary() {
    String given = System.getenv("LETHE_CHROMIUM");
    if (given != null && !given.isBlank()) {
      return Files.isExecutable(Path.of(given)) ? Path.of(given) : null;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "chromium");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Starts Chromium; fails, saying how to install it, when there is none. */
  static HeadlessChromium start() throws Exception {
    Path bin = binary();
    if (bin == null) {
      throw new AssertionError("Chromium is not installed, and the report test looks at the report in it: run"
          + " `./lethe test` (its set-up installs Debian's chromium package) or `apt-get install chromium`,"
          + " or point LETHE_CHROMIUM at a Chromium binary");
    }
    Path profile = Files.createTempDirectory("lethe-chromium");
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start; the page is our own file
    Process process = new ProcessBuilder(bin.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--remote-debugging-port=0", "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
        "--disable-extensions", "--disable-background-networking", "--disable-component-update",
        "--hide-scrollbars", "--mute-audio", "about:blank")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader stderr = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> browserUrl = new CompletableFuture<>();
    Thread drain = new Thread(() -> {
      try {
        for (String line = stderr.readLine(); line != null; line = stderr.readLine()) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            browserUrl.complete(m.group(1));
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
      browserUrl.completeExceptionally(new AssertionError("Chromium exited before it listened for DevTools"));
    }, "chromium-stderr");
    drain.setDaemon(true);
    drain.start();
    try {
      URI browser = URI.create(browserUrl.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      HttpClient http = HttpClient.newHttpClient();
      String list = http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list"))
          .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString()).body();
      String pageUrl = null;
      for (JsonNode target : JSON.readTree(list)) {
        if (target.path("type").asText().equals("page")) {
          pageUrl = target.get("webSocketDebuggerUrl").asText();
        }
      }
      if (pageUrl == null) {
        throw new AssertionError("Chromium opened no page: " + list);
      }
      HeadlessChromium[] self = new HeadlessChromium[1];
      WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            String message = text.toString();
            text.setLength(0);
            while (self[0] == null) {
              Thread.onSpinWait();
            }
            self[0].receive(message);
          }
          ws.request(1);
          return null;
        }
      }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      self[0] = new HeadlessChromium(process, profile, socket);
      for (String domain : List.of("Runtime", "Log", "Page", "Network")) {
        self[0].call(domain + ".enable", JSON.createObjectNode());
      }
      return self[0];
    } catch (Exception | AssertionError e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private void receive(String message) {
    JsonNode m;
    try {
      m = JSON.readTree(message);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    if (m.has("id")) {
      CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
      if (f != null) {
        f.complete(m);
      }
      return;
    }
    JsonNode p = m.path("params");
    switch (m.path("method").asText()) {
      case "Runtime.consoleAPICalled" -> {
        String type = p.path("type").asText();
        if (type.equals("error") || type.equals("assert")) {
          List<String> args = new ArrayList<>();
          p.path("args").forEach(a -> args.add(a.path("value").asText(a.path("description").asText())));
          errors.add("console." + type + ": " + String.join(" ", args));
        }
      }
      case "Runtime.exceptionThrown" -> {
        JsonNode d = p.path("exceptionDetails");
        errors.add("uncaught: " + d.path("exception").path("description").asText(d.path("text").asText()));
      }
      case "Log.entryAdded" -> {
        JsonNode e = p.path("entry");
        if (e.path("level").asText().equals("error")) {
          errors.add("log: " + e.path("text").asText() + " " + e.path("url").asText(""));
        }
      }
      case "Network.requestWillBeSent" -> requests.add(p.path("request").path("url").asText());
      case "Page.loadEventFired" -> loaded.countDown();
      default -> { }
    }
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", params);
    socket.sendText(JSON.writeValueAsString(message), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    JsonNode m = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (m.has("error")) {
      throw new AssertionError("DevTools " + method + " failed: " + m.get("error"));
    }
    return m.path("result");
  }

  /**
   * Loads {@code html} in a window {@code width} CSS pixels wide, reads what it shows, and writes a full-page
   * screenshot to {@code screenshot}.
   */
  Page open(Path html, int width, Path screenshot) throws Exception {
    errors.clear();
    requests.clear();
    loaded = new CountDownLatch(1);
    call("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", width).put("height", 900)
        .put("deviceScaleFactor", 1).put("mobile", false));
    call("Page.navigate", JSON.createObjectNode().put("url", html.toAbsolutePath().toUri().toString()));
    if (!loaded.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the page did not finish loading in " + TIMEOUT);
    }
    String measure = """
        JSON.stringify({
          height: document.documentElement.scrollHeight,
          duplicates: [...document.querySelectorAll('[id]')].map(e => e.id).filter((id, i, all) => all.indexOf(id) !== i),
          charts: [...document.querySelectorAll('figure[data-chart]')].map(f => {
            const svg = f.querySelector('svg');
            const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
            return {name: f.dataset.chart, section: f.closest('section') ? f.closest('section').id : '',
                    svg: !!svg, width: box.width, height: box.height,
                    shapes: svg ? svg.querySelectorAll('path, rect, line, ellipse, circle, polyline, polygon').length : 0,
                    texts: svg ? [...svg.querySelectorAll('text')].map(t => t.textContent.trim()) : []};
          })
        })""";
    JsonNode value = JSON.readTree(call("Runtime.evaluate", JSON.createObjectNode().put("expression", measure)
        .put("returnByValue", true)).path("result").path("value").asText());
    int height = value.get("height").asInt();
    ObjectNode clip = JSON.createObjectNode().put("x", 0).put("y", 0).put("width", width).put("height", height)
        .put("scale", 1);
    JsonNode shot = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png")
        .put("captureBeyondViewport", true).set("clip", clip));
    Files.createDirectories(screenshot.toAbsolutePath().getParent());
    Files.write(screenshot, Base64.getDecoder().decode(shot.get("data").asText()));
    // console messages logged during load arrive before the load event; give late log entries a moment
    Thread.sleep(200);
    List<String> duplicates = new ArrayList<>();
    value.get("duplicates").forEach(d -> duplicates.add(d.asText()));
    return new Page(List.copyOf(errors), List.copyOf(requests), value.get("charts"), height, duplicates);
  }

  @Override
  public void close() throws Exception {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the browser is killed below either way
    }
    // its renderer and helper processes write into the profile too: stop them before deleting it
    List<ProcessHandle> helpers = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (ProcessHandle helper : helpers) {
      helper.destroy();
      try {
        helper.onExit().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        helper.destroyForcibly();
      }
    }
    deleteProfile();
  }

  /** Deletes the profile directory; a file that vanishes during the walk (a helper's last write) is gone anyway. */
  private void deleteProfile() throws IOException {
    for (int attempt = 1; ; attempt++) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        return;
      } catch (java.io.UncheckedIOException e) {
        if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 3) {
          throw e;
        }
      }
    }
  }
}
