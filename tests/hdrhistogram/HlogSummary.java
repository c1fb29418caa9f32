// Reads an interval log with the HdrHistogram Java library (Debian's libhdrhistogram-java) and
// prints, per tag, the totals konform must agree with: count, percentiles, max, mean.
// Run as a single-file program: java -cp hdrhistogram.jar HlogSummary.java run.hlog
import java.io.File;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

public class HlogSummary {
  public static void main(String[] args) throws Exception {
    HistogramLogReader reader = new HistogramLogReader(new File(args[0]));
    Map<String, Histogram> byTag = new TreeMap<>();
    int intervals = 0;
    EncodableHistogram e;
    while ((e = reader.nextIntervalHistogram()) != null) {
      Histogram h = (Histogram) e;
      String tag = h.getTag() == null ? "" : h.getTag();
      byTag.computeIfAbsent(tag, t -> new Histogram(1, 3_600_000_000L, 3)).add(h);
      intervals++;
    }
    System.out.println("intervals " + intervals);
    double[] ps = {50, 75, 90, 99, 99.9, 99.99};
    for (Map.Entry<String, Histogram> t : byTag.entrySet()) {
      Histogram h = t.getValue();
      StringBuilder sb = new StringBuilder();
      sb.append("tag=").append(t.getKey().isEmpty() ? "-" : t.getKey());
      sb.append(" count=").append(h.getTotalCount());
      for (double p : ps)
        sb.append(" p").append(p).append('=').append(h.getValueAtPercentile(p));
      sb.append(" max=").append(h.getMaxValue());
      sb.append(String.format(Locale.US, " mean=%.6f", h.getMean()));
      System.out.println(sb);
    }
  }
}
