package dev.lethe.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/**
 * The report's charts, drawn by JFreeChart and serialised as inline SVG by JFreeSVG (chosen over XChart with
 * VectorGraphics2D: the same trade-off chart is 78 KB against 536 KB, whose text is drawn as glyph outlines,
 * and XChart has no horizontal error bars; see README). Every chart takes its colours from one {@link Palette}
 * and its SVG ids from a prefix unique in the page, so several charts can live in one document.
 */
final class Charts {
  /** A method's place on the trade-off plot: mean and sample std over seeds of its RTE and Avg Gap. */
  record Point(String method, double rte, double rteStd, double gap, double gapStd) {}

  /** One bar: a method's mean over seeds (of a difference to RT, or of a distance to RT) and its sample std. */
  record Bar(String method, double mean, double std, int n) {}

  /** A method's place on the KLoM scatter: mean and sample std over seeds of its KLoM p95 on retain (x) and forget (y). */
  record KlomPoint(String method, double retain, double retainStd, double forget, double forgetStd) {}

  /** One method's per-example U-LiRA attack accuracies, every forget example of every seed. */
  record Distribution(String method, List<Double> values) {}

  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Color GRID = new Color(0xdddddd);
  private static final Color FLOOR = new Color(0x7f7f7f);

  private final Palette palette;

  Charts(Palette palette) {
    this.palette = palette;
  }

  /**
   * The methods on the Pareto front of {@code points}: those no other point beats on both RTE and Avg Gap
   * (at most as large on both and smaller on one), by increasing RTE. Points with a non-finite coordinate
   * are left out.
   */
  static List<Point> paretoFront(List<Point> points) {
    List<Point> finite = points.stream()
        .filter(p -> Double.isFinite(p.rte()) && Double.isFinite(p.gap()) && p.rte() > 0).toList();
    List<Point> front = new ArrayList<>();
    for (Point p : finite) {
      boolean dominated = finite.stream().anyMatch(q -> q != p && q.rte() <= p.rte() && q.gap() <= p.gap()
          && (q.rte() < p.rte() || q.gap() < p.gap()));
      if (!dominated) {
        front.add(p);
      }
    }
    front.sort(Comparator.comparingDouble(Point::rte).thenComparingDouble(Point::gap));
    return front;
  }

  /**
   * Avg Gap (y) against RTE (x) with ±1 std error bars on both, one colour per method, each point labelled,
   * the Pareto front as a staircase (a point is worth its run time only if nothing faster is closer to RT),
   * and the noise floor as a dashed line. The x axis is logarithmic when RTE spans more than a decade.
   */
  String tradeOff(String id, List<Point> points, double floor) {
    List<Point> shown = points.stream().filter(p -> Double.isFinite(p.rte()) && Double.isFinite(p.gap())).toList();
    XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
    XYErrorRenderer renderer = new XYErrorRenderer();
    renderer.setDefaultLinesVisible(false);
    renderer.setCapLength(6);
    renderer.setErrorStroke(new BasicStroke(1.5f));
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    for (int i = 0; i < shown.size(); i++) {
      Point p = shown.get(i);
      XYIntervalSeries s = new XYIntervalSeries(p.method());
      // a log axis cannot draw a bar below zero: such a lower half is left out rather than clipped
      s.add(p.rte(), p.rte() - p.rteStd() > 0 ? p.rte() - p.rteStd() : p.rte(), p.rte() + p.rteStd(),
          p.gap(), p.gap() - p.gapStd(), p.gap() + p.gapStd());
      data.addSeries(s);
      renderer.setSeriesPaint(i, palette.of(p.method()));
      renderer.setSeriesShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
      lo = Math.min(lo, p.rte());
      hi = Math.max(hi, p.rte());
    }
    renderer.setDefaultItemLabelGenerator((dataset, series, item) -> dataset.getSeriesKey(series).toString());
    renderer.setDefaultItemLabelsVisible(true);
    renderer.setDefaultItemLabelFont(TICK);
    renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
    renderer.setItemLabelAnchorOffset(5);
    for (int i = 0; i < shown.size(); i++) {
      if (shown.get(i).method().equals(ScenarioResults.RETRAIN)) {
        // RT sits at (1, 0) and the second retrain usually just above it: RT's label goes to the left
        renderer.setSeriesPositiveItemLabelPosition(i,
            new ItemLabelPosition(ItemLabelAnchor.OUTSIDE9, TextAnchor.CENTER_RIGHT));
      }
    }
    ValueAxis x;
    if (lo > 0 && hi / lo > 10) {
      LogAxis log = new LogAxis("RTE: run time relative to RT's (log scale)");
      log.setTickUnit(new NumberTickUnit(1));
      log.setNumberFormatOverride(new DecimalFormat("0.#####"));
      log.setLowerMargin(0.08);
      log.setUpperMargin(0.15);
      x = log;
    } else {
      NumberAxis linear = new NumberAxis("RTE: run time relative to RT's");
      linear.setAutoRangeIncludesZero(true);
      x = linear;
    }
    NumberAxis y = new NumberAxis("Avg Gap to RT (lower is closer to retraining)");
    double top = shown.stream().mapToDouble(p -> p.gap() + p.gapStd()).max().orElse(1);
    top = Math.max(Math.max(top, Double.isFinite(floor) ? floor : 0), 1e-3);
    // RT sits at zero: a margin below keeps its point and label off the axis
    y.setRange(-0.05 * top, 1.08 * top);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    List<Point> front = paretoFront(shown);
    if (front.size() > 1) {
      XYSeries line = new XYSeries("Pareto front", false);
      for (Point p : front) {
        line.add(p.rte(), p.gap());
      }
      XYStepRenderer step = new XYStepRenderer();
      step.setSeriesPaint(0, Color.DARK_GRAY);
      step.setSeriesStroke(0, new BasicStroke(1.2f));
      step.setSeriesShapesVisible(0, false);
      step.setSeriesVisibleInLegend(0, false);
      plot.setDataset(1, new XYSeriesCollection(line));
      plot.setRenderer(1, step);
    }
    if (Double.isFinite(floor)) {
      plot.addRangeMarker(dashed(floor, "noise floor (retrain-2)"));
    }
    styled(plot);
    LegendItemCollection legend = new LegendItemCollection();
    for (Point p : shown) {
      legend.add(new LegendItem(p.method(), null, null, null, new Ellipse2D.Double(-5, -5, 10, 10), palette.of(p.method())));
    }
    if (front.size() > 1) {
      legend.add(new LegendItem("Pareto front", null, null, null, new java.awt.geom.Line2D.Double(-8, 0, 8, 0),
          new BasicStroke(1.2f), Color.DARK_GRAY));
    }
    if (Double.isFinite(floor)) {
      legend.add(new LegendItem("noise floor", null, null, null, new java.awt.geom.Line2D.Double(-8, 0, 8, 0),
          dashStroke(), FLOOR));
    }
    plot.setFixedLegendItems(legend);
    return svg(id, chart(plot, true), 1180, 520);
  }

  /**
   * One metric's bars with ±1 std error bars (none for one seed), the RT line at zero and the noise floor as
   * a shaded band: for a difference to RT, ± the second retrain's mean |difference|; for a distance to RT
   * (never negative), from zero to the second retrain's mean distance.
   */
  String metricBars(String id, String axisLabel, List<Bar> bars, double floor, boolean distance) {
    DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
    List<String> methods = new ArrayList<>();
    for (Bar b : bars) {
      Number std = b.n() > 1 && Double.isFinite(b.std()) ? Double.valueOf(b.std()) : null;
      data.add(Double.valueOf(b.mean()), std, "bars", b.method());
      methods.add(b.method());
    }
    StatisticalBarRenderer renderer = new StatisticalBarRenderer() {
      @Override
      public java.awt.Paint getItemPaint(int row, int column) {
        return palette.of(methods.get(column));
      }
    };
    renderer.setErrorIndicatorPaint(Color.BLACK);
    renderer.setDrawBarOutline(false);
    renderer.setShadowVisible(false);
    renderer.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
    renderer.setItemMargin(0);
    CategoryAxis x = new CategoryAxis(null);
    x.setCategoryMargin(0.25);
    // method names in full: wider than their bar when few, slanted when many
    x.setMaximumCategoryLabelWidthRatio(1.6f);
    if (bars.size() > 6) {
      x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    }
    NumberAxis y = new NumberAxis(axisLabel);
    y.setAutoRangeIncludesZero(true);
    CategoryPlot plot = new CategoryPlot(data, x, y, renderer);
    double bandLow = distance ? 0 : -floor;
    if (Double.isFinite(floor) && floor > 0) {
      IntervalMarker band = new IntervalMarker(bandLow, floor, new Color(0x7f7f7f), new BasicStroke(0f), null, null, 0.18f);
      plot.addRangeMarker(band, org.jfree.chart.ui.Layer.BACKGROUND);
    }
    ValueMarker rt = new ValueMarker(0, Color.BLACK, new BasicStroke(1.2f));
    plot.addRangeMarker(rt);
    style(x);
    style(y);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(GRID);
    plot.setOutlinePaint(Color.GRAY);
    // the floor band must stay in view even when every bar is inside it
    if (Double.isFinite(floor) && floor > 0) {
      double top = Math.max(y.getUpperBound(), floor * 1.1);
      double bottom = Math.min(y.getLowerBound(), bandLow * 1.1);
      y.setRange(bottom, top);
    } else if (y.getUpperBound() - y.getLowerBound() < 1e-6) {
      // every method equals RT (MIA-eff at 100 everywhere): a unit range instead of ticks of 1E-9
      y.setRange(-1, 1);
    }
    return svg(id, chart(plot, false), 380, 270);
  }

  /**
   * KLoM on the forget examples (y) against KLoM on the retain examples (x), both the 95th percentile, one
   * point per method with ±1 std error bars over seeds, as the DMM paper and data-unlearning-bench plot
   * methods: the retrained models sit at the origin, a method that forgets without damage near the x axis'
   * left end. The floor (retrain-2) is a grey square, the ceiling (original) a brown diamond, and a dashed
   * line of each colour marks its forget value across the plot.
   */
  String klomScatter(String id, List<KlomPoint> points) {
    XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
    XYErrorRenderer renderer = new XYErrorRenderer();
    renderer.setDefaultLinesVisible(false);
    renderer.setCapLength(6);
    renderer.setErrorStroke(new BasicStroke(1.5f));
    LegendItemCollection legend = new LegendItemCollection();
    double top = 1e-3;
    double right = 1e-3;
    for (int i = 0; i < points.size(); i++) {
      KlomPoint p = points.get(i);
      XYIntervalSeries s = new XYIntervalSeries(p.method());
      s.add(p.retain(), p.retain() - p.retainStd(), p.retain() + p.retainStd(),
          p.forget(), p.forget() - p.forgetStd(), p.forget() + p.forgetStd());
      data.addSeries(s);
      java.awt.Shape shape = marker(p.method());
      renderer.setSeriesPaint(i, palette.of(p.method()));
      renderer.setSeriesShape(i, shape);
      legend.add(new LegendItem(bound(p.method()), null, null, null, shape, palette.of(p.method())));
      top = Math.max(top, p.forget() + p.forgetStd());
      right = Math.max(right, p.retain() + p.retainStd());
    }
    List<String> labels = coincidentLabels(points);
    renderer.setDefaultItemLabelGenerator((dataset, series, item) -> labels.get(series));
    renderer.setDefaultItemLabelsVisible(true);
    renderer.setDefaultItemLabelFont(TICK);
    renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
    renderer.setItemLabelAnchorOffset(5);
    NumberAxis x = new NumberAxis("KLoM on the retain examples, 95th percentile (0 = like retraining)");
    NumberAxis y = new NumberAxis("KLoM on the forget examples, p95");
    // a margin below and left keeps points at zero and their labels off the axes; the right one makes room for labels
    x.setRange(-0.04 * right, 1.25 * right);
    y.setRange(-0.05 * top, 1.1 * top);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    for (KlomPoint p : points) {
      if (p.method().equals(ScenarioResults.SECOND_RETRAIN) || p.method().equals(ScenarioResults.ORIGINAL)) {
        boolean floor = p.method().equals(ScenarioResults.SECOND_RETRAIN);
        ValueMarker m = dashed(p.forget(), floor ? "floor (retrain-2)" : "ceiling (original)");
        m.setPaint(palette.of(p.method()));
        m.setLabelPaint(palette.of(p.method()));
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(m);
      }
    }
    styled(plot);
    plot.setFixedLegendItems(legend);
    return svg(id, chart(plot, true), 1180, 520);
  }

  /**
   * Each point's label: the names of every point at the same place joined on the first of them (KLoM saturates
   * at ln(1/ε), so methods that forget nothing often coincide with the original), empty on the others.
   */
  static List<String> coincidentLabels(List<KlomPoint> points) {
    List<StringBuilder> labels = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      KlomPoint p = points.get(i);
      int first = i;
      for (int j = 0; j < i; j++) {
        KlomPoint q = points.get(j);
        if (q.retain() == p.retain() && q.forget() == p.forget() && labels.get(j).length() > 0) {
          first = j;
          break;
        }
      }
      labels.add(new StringBuilder(first == i ? p.method() : ""));
      if (first != i) {
        labels.get(first).append(", ").append(p.method());
      }
    }
    return labels.stream().map(StringBuilder::toString).toList();
  }

  /**
   * Per method a box plot of its per-example U-LiRA attack accuracies over the forget examples (box: quartiles,
   * line: median, open diamond: mean, whiskers: the furthest values within 1.5 IQR, the rest as outliers), the floor
   * (retrain-2) and ceiling (original) first, in the palette's colours; a black line at 0.5, where an example's
   * unlearned and retrained margins cannot be told apart, and a dashed line at the floor's and the ceiling's mean.
   */
  String uliraDistribution(String id, List<Distribution> distributions) {
    org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset data =
        new org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset();
    List<String> methods = new ArrayList<>();
    for (Distribution d : distributions) {
      data.add(d.values(), "U-LiRA", bound(d.method()));
      methods.add(d.method());
    }
    org.jfree.chart.renderer.category.BoxAndWhiskerRenderer renderer =
        new org.jfree.chart.renderer.category.BoxAndWhiskerRenderer() {
          @Override
          public java.awt.Paint getItemPaint(int row, int column) {
            return palette.of(methods.get(column));
          }
        };
    // the renderer's own mean is a filled circle a quarter of the box wide: a small open diamond (below) reads better
    renderer.setMeanVisible(false);
    renderer.setMedianVisible(true);
    renderer.setFillBox(true);
    renderer.setUseOutlinePaintForWhiskers(false);
    renderer.setDefaultOutlinePaint(Color.DARK_GRAY);
    renderer.setMaxOutlierVisible(false);
    renderer.setMinOutlierVisible(false);
    renderer.setMaximumBarWidth(0.08);
    renderer.setItemMargin(0);
    CategoryAxis x = new CategoryAxis(null);
    x.setCategoryMargin(0.3);
    x.setMaximumCategoryLabelWidthRatio(1.6f);
    if (distributions.size() > 6) {
      x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    }
    NumberAxis y = new NumberAxis("U-LiRA accuracy per forget example (0.5 = like retraining)");
    // room above 1 and below 0 for the outliers' circles
    y.setRange(-0.06, 1.06);
    y.setTickUnit(new NumberTickUnit(0.1));
    CategoryPlot plot = new CategoryPlot(data, x, y, renderer);
    org.jfree.data.category.DefaultCategoryDataset means = new org.jfree.data.category.DefaultCategoryDataset();
    for (Distribution d : distributions) {
      double mean = d.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      means.addValue(mean, "mean", bound(d.method()));
      if (d.method().equals(ScenarioResults.SECOND_RETRAIN) || d.method().equals(ScenarioResults.ORIGINAL)) {
        plot.addRangeMarker(new ValueMarker(mean, palette.of(d.method()), dashStroke()), org.jfree.chart.ui.Layer.BACKGROUND);
      }
    }
    org.jfree.chart.renderer.category.LineAndShapeRenderer meanMarks =
        new org.jfree.chart.renderer.category.LineAndShapeRenderer(false, true);
    meanMarks.setSeriesShape(0, diamond(6));
    meanMarks.setUseFillPaint(true);
    meanMarks.setSeriesFillPaint(0, Color.WHITE);
    meanMarks.setDrawOutlines(true);
    meanMarks.setUseOutlinePaint(true);
    meanMarks.setSeriesOutlinePaint(0, Color.BLACK);
    meanMarks.setSeriesOutlineStroke(0, new BasicStroke(1.5f));
    plot.setDataset(1, means);
    plot.setRenderer(1, meanMarks);
    plot.setDatasetRenderingOrder(org.jfree.chart.plot.DatasetRenderingOrder.FORWARD);
    plot.addRangeMarker(new ValueMarker(0.5, Color.BLACK, new BasicStroke(1.2f)), org.jfree.chart.ui.Layer.BACKGROUND);
    style(x);
    style(y);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(GRID);
    plot.setOutlinePaint(Color.GRAY);
    return svg(id, chart(plot, false), 1180, 420);
  }

  /** A method's name, with its role for the floor and the ceiling. */
  static String bound(String method) {
    return method.equals(ScenarioResults.SECOND_RETRAIN) ? method + " (floor)"
        : method.equals(ScenarioResults.ORIGINAL) ? method + " (ceiling)" : method;
  }

  /** The floor's marker is a square, the ceiling's a diamond, every other method's a circle. */
  private static java.awt.Shape marker(String method) {
    if (method.equals(ScenarioResults.SECOND_RETRAIN)) {
      return new Rectangle(-5, -5, 10, 10);
    }
    if (method.equals(ScenarioResults.ORIGINAL)) {
      return diamond(7);
    }
    return new Ellipse2D.Double(-5, -5, 10, 10);
  }

  private static java.awt.Shape diamond(double r) {
    java.awt.geom.Path2D.Double diamond = new java.awt.geom.Path2D.Double();
    diamond.moveTo(0, -r);
    diamond.lineTo(r, 0);
    diamond.lineTo(0, r);
    diamond.lineTo(-r, 0);
    diamond.closePath();
    return diamond;
  }

  private static void styled(XYPlot plot) {
    style(plot.getDomainAxis());
    style(plot.getRangeAxis());
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setOutlinePaint(Color.GRAY);
  }

  private static String twoDecimals(double v) {
    String text = new java.math.BigDecimal(v).setScale(2, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    return text.equals("-0") ? "0" : text;
  }

  private static ValueMarker dashed(double value, String label) {
    ValueMarker m = new ValueMarker(value, FLOOR, dashStroke());
    m.setLabel(label);
    m.setLabelFont(TICK);
    m.setLabelPaint(FLOOR);
    m.setLabelBackgroundColor(new Color(255, 255, 255, 0));
    m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
    m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
    return m;
  }

  private static BasicStroke dashStroke() {
    return new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
  }

  private static void style(org.jfree.chart.axis.Axis axis) {
    axis.setLabelFont(LABEL);
    axis.setTickLabelFont(TICK);
    axis.setLabelPaint(Color.DARK_GRAY);
    axis.setTickLabelPaint(Color.DARK_GRAY);
  }

  private static JFreeChart chart(org.jfree.chart.plot.Plot plot, boolean legend) {
    JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, legend);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setPadding(new RectangleInsets(6, 6, 6, 6));
    if (legend) {
      chart.getLegend().setPosition(RectangleEdge.RIGHT);
      chart.getLegend().setItemFont(LABEL);
      chart.getLegend().setFrame(new org.jfree.chart.block.BlockBorder(Color.WHITE));
    }
    return chart;
  }

  /** The chart as an SVG element scaled to its container (a view box, no fixed size); ids start with {@code id}. */
  private static String svg(String id, JFreeChart chart, int width, int height) {
    SVGGraphics2D g = new SVGGraphics2D(width, height);
    g.setDefsKeyPrefix(id + "-");
    // two decimals of a pixel are invisible; the default full doubles triple the page
    g.setGeomDoubleConverter(Charts::twoDecimals);
    g.setTransformDoubleConverter(Charts::twoDecimals);
    chart.draw(g, new Rectangle(0, 0, width, height));
    return g.getSVGElement(id, false, new ViewBox(0, 0, width, height), null, null);
  }
}
