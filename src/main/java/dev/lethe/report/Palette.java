package dev.lethe.report;

import java.awt.Color;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One colour per method for a whole report, so a method looks the same in every chart and table of every
 * scenario: RT black, the second retrain grey, the original brown, then the other methods in order of first
 * appearance through Tableau's colours (the 8 left of its 10, their light variants, two dark ones: 18, more
 * than the registered methods), then round again.
 */
final class Palette {
  private static final Map<String, Color> FIXED = Map.of(
      ScenarioResults.RETRAIN, new Color(0x000000),
      ScenarioResults.SECOND_RETRAIN, new Color(0x7f7f7f),
      ScenarioResults.ORIGINAL, new Color(0x8c564b));

  private static final int[] CYCLE = {
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x17becf, 0xe377c2, 0xbcbd22,
    0xaec7e8, 0xffbb78, 0x98df8a, 0xff9896, 0xc5b0d5, 0x9edae5, 0xf7b6d2, 0xdbdb8d, 0x393b79, 0x637939,
  };

  private final Map<String, Color> colours = new LinkedHashMap<>();

  /** A palette for {@code methods}, coloured in this order. */
  Palette(List<String> methods) {
    int next = 0;
    for (String m : methods) {
      if (!colours.containsKey(m)) {
        colours.put(m, FIXED.containsKey(m) ? FIXED.get(m) : new Color(CYCLE[next++ % CYCLE.length]));
      }
    }
  }

  /** The method's colour (grey for a method the palette was not built with). */
  Color of(String method) {
    return colours.getOrDefault(method, Color.GRAY);
  }

  /** The method's colour as CSS {@code #rrggbb}. */
  String css(String method) {
    Color c = of(method);
    return String.format("#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
  }
}
