// The parts of ECharts the cockpit draws with: bar charts on a grid, with
// tooltip and legend, on canvas. scripts/setup.sh bundles this (esbuild)
// into public/vendor/echarts.min.js, exposed as the `echarts` global that
// charming's WasmRenderer calls.
import { use } from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export * from 'echarts/core';
