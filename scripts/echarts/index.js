// The parts of ECharts the cockpit draws with: bar charts on a grid and the
// funnel, with tooltip and legend, on canvas. scripts/setup.sh bundles this
// (esbuild) into public/vendor/echarts.min.js, exposed as the `echarts`
// global that src/ui/chart.rs calls (the options come from the server,
// written with charming).
import { use } from 'echarts/core';
import { BarChart, FunnelChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, FunnelChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export * from 'echarts/core';
