/**
 * Calibration of a predictive model (cross-validated): predicted probability per bin against the
 * observed conversion rate, with the diagonal of perfect calibration. apexcharts touches `window`
 * when imported, so the chart is loaded in the browser only; the table below it is the
 * server-rendered (and accessible) version of the same numbers.
 */
import { useEffect, useState, type ComponentType } from 'react';

export interface CalibrationBin {
  binLow: number;
  binHigh: number;
  meanPredicted: number;
  observedRate: number;
  count: number;
}

type ChartProps = { type: string; height: number; series: unknown[]; options: Record<string, unknown> };

export function CalibrationChart({ bins }: { bins: CalibrationBin[] }) {
  const [Chart, setChart] = useState<ComponentType<ChartProps> | null>(null);
  useEffect(() => {
    let live = true;
    import('react-apexcharts').then(
      (m) => live && setChart(() => m.default as unknown as ComponentType<ChartProps>),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  const used = bins.filter((b) => b.count > 0);
  const pct = (x: number) => Math.round(x * 1000) / 10;
  return (
    <figure>
      {Chart ? (
        <Chart
          type="line"
          height={260}
          series={[
            { name: 'Observed conversion', data: used.map((b) => ({ x: pct(b.meanPredicted), y: pct(b.observedRate) })) },
            { name: 'Perfect calibration', data: [{ x: 0, y: 0 }, { x: 100, y: 100 }] },
          ]}
          options={{
            chart: { animations: { enabled: false }, toolbar: { show: false }, zoom: { enabled: false } },
            xaxis: { type: 'numeric', min: 0, max: 100, tickAmount: 5, title: { text: 'Predicted probability (%)' } },
            yaxis: { min: 0, max: 100, tickAmount: 5, title: { text: 'Converted (%)' } },
            markers: { size: [5, 0] },
            stroke: { width: [2, 1], dashArray: [0, 4] },
            legend: { position: 'bottom' },
          }}
        />
      ) : null}
      <table className="calibration">
        <caption>Calibration (cross-validated): predicted vs observed, per probability bin</caption>
        <thead>
          <tr>
            <th>Bin</th>
            <th>Leads</th>
            <th>Predicted</th>
            <th>Observed</th>
          </tr>
        </thead>
        <tbody>
          {used.map((b) => (
            <tr key={b.binLow}>
              <td>
                {pct(b.binLow)}–{pct(b.binHigh)}%
              </td>
              <td className="num">{b.count}</td>
              <td className="num">{pct(b.meanPredicted)}%</td>
              <td className="num">{pct(b.observedRate)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
