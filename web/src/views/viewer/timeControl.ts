/**
 * The forecast's clock: a slider over the output times (a native range
 * input, so arrows, Page Up/Down, Home and End work), a play/pause button
 * that steps about four frames a second and loops, and the time shown as UTC
 * with its lead time from the cycle.
 */
import { formatTime, h } from '../../ui/dom';

const PLAY_INTERVAL_MS = 250;

export class TimeControl {
  readonly element: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly playButton: HTMLButtonElement;
  private readonly label: HTMLElement;
  private timer: number | undefined;

  constructor(
    private readonly times: readonly string[],
    private readonly cycle: string,
    /** Called with the new output index whenever the user or playing moves the slider. */
    private readonly onChange: (index: number) => void,
  ) {
    this.slider = h('input', {
      type: 'range',
      id: 'viewer-time',
      min: 0,
      max: times.length - 1,
      step: 1,
      value: 0,
      'data-testid': 'time-slider',
      oninput: () => this.changed(),
    });
    this.playButton = h('button', { type: 'button', class: 'play', 'aria-pressed': 'false', 'data-testid': 'play', onclick: () => (this.playing ? this.pause() : this.play()) }, 'Play');
    this.label = h('output', { for: 'viewer-time', class: 'time-label' });
    this.element = h('div', { class: 'time-control' }, h('label', { for: 'viewer-time' }, 'Forecast time'), this.slider, h('div', { class: 'time-row' }, this.playButton, this.label));
    this.showLabel();
  }

  get index(): number {
    return Number(this.slider.value);
  }

  get playing(): boolean {
    return this.timer !== undefined;
  }

  /** The maximum envelope has no time: the slider rests while it shows. */
  setDisabled(disabled: boolean): void {
    if (disabled) this.pause();
    this.slider.disabled = disabled;
    this.playButton.disabled = disabled;
    this.showLabel();
  }

  play(): void {
    if (this.playing || this.times.length < 2) return;
    this.timer = window.setInterval(() => {
      this.slider.value = String((this.index + 1) % this.times.length);
      this.changed();
    }, PLAY_INTERVAL_MS);
    this.playButton.setAttribute('aria-pressed', 'true');
    this.playButton.textContent = 'Pause';
  }

  pause(): void {
    window.clearInterval(this.timer);
    this.timer = undefined;
    this.playButton.setAttribute('aria-pressed', 'false');
    this.playButton.textContent = 'Play';
  }

  private changed(): void {
    this.showLabel();
    this.onChange(this.index);
  }

  private showLabel(): void {
    if (this.slider.disabled) {
      this.label.textContent = `${formatTime(this.times[0])} to ${formatTime(this.times.at(-1))}`;
      return;
    }
    const time = this.times[this.index];
    this.label.textContent = `${formatTime(time)} · ${leadTime(time, this.cycle)}`;
    this.slider.setAttribute('aria-valuetext', this.label.textContent);
  }
}

/** `+06 h` from the cycle time (`+06 h 10 min` between whole hours); the first output may sit at the cycle itself (+00 h). */
function leadTime(time: string, cycle: string): string {
  const minutes = Math.round((Date.parse(time) - Date.parse(cycle)) / 60_000);
  const hours = Math.trunc(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  // Non-breaking spaces: the lead time wraps as one piece.
  return `${minutes < 0 ? '−' : '+'}${String(hours).padStart(2, '0')}\u00a0h${rest === 0 ? '' : `\u00a0${rest}\u00a0min`}`;
}
