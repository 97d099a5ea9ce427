/** Lowest frequency considered when looking for a tone; below it is DC and rumble. */
const MIN_HZ = 50;
/** Smallest FFT; zero-padding short windows this far makes peak interpolation accurate. */
const MIN_FFT = 8192;
/** RMS (0..1 of full scale) below which audio counts as silence, about -60 dBFS. */
export const SILENCE_RMS = 0.001;

/** The strongest frequency in a window of audio. */
export interface DominantFrequency {
  /** Interpolated peak frequency; 0 for silence. */
  hz: number;
  /** Share (0..1) of the spectral power above 50 Hz that lies in the peak's main lobe; near 1 for a pure tone. */
  power: number;
  /** RMS of the window, 0..1 of full scale. */
  rms: number;
}

/** RMS of 16-bit samples, normalised to 0..1 of full scale. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length) / 32768;
}

/** In-place iterative radix-2 complex FFT; re.length must be a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  // One table of twiddles for the whole transform; stage `len` steps through it by n/len.
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = -Math.sin((2 * Math.PI * k) / n);
  }
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!;
        const wi = sin[k * step]!;
        const a = start + k;
        const b = a + half;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

/** Power spectrum (bins 0..n/2) of the Hann-windowed, zero-padded, mean-removed signal scaled to -1..1. */
function powerSpectrum(x: Float64Array): Float64Array {
  let n = MIN_FFT;
  while (n < x.length) n <<= 1;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  // Removing the mean keeps a DC offset from leaking past 50 Hz on short windows.
  for (let i = 0; i < x.length; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / Math.max(1, x.length - 1));
    re[i] = (x[i]! - mean) * hann;
  }
  fft(re, im);
  const power = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) power[k] = re[k]! * re[k]! + im[k]! * im[k]!;
  return power;
}

/**
 * Finds the dominant frequency of a window of mono audio via a Hann-windowed
 * FFT (zero-padded to at least 8192 points) with log-parabolic interpolation
 * around the peak bin, ignoring everything below 50 Hz.
 * @param samples Int16 samples, or floats in -1..1.
 */
export function dominantFrequency(samples: Int16Array | Float32Array, sampleRate: number): DominantFrequency {
  const scale = samples instanceof Int16Array ? 1 / 32768 : 1;
  const x = Float64Array.from(samples, (v) => v * scale);
  let sumSq = 0;
  for (const v of x) sumSq += v * v;
  const level = x.length ? Math.sqrt(sumSq / x.length) : 0;
  if (x.length < 2 || level === 0) return { hz: 0, power: 0, rms: level };

  const power = powerSpectrum(x);
  const n = (power.length - 1) * 2;
  const binHz = sampleRate / n;
  const first = Math.max(1, Math.ceil(MIN_HZ / binHz));
  const last = power.length - 2;
  let peak = first;
  let total = 0;
  for (let k = first; k <= last; k++) {
    total += power[k]!;
    if (power[k]! > power[peak]!) peak = k;
  }
  if (first > last || power[peak]! === 0) return { hz: 0, power: 0, rms: level };

  // A Hann peak is close to Gaussian, so a parabola through log power fits it well.
  const ln = (k: number): number => Math.log(power[k]! + 1e-300);
  const [a, b, c] = [ln(peak - 1), ln(peak), ln(peak + 1)];
  const denom = a - 2 * b + c;
  const offset = denom < 0 ? (0.5 * (a - c)) / denom : 0;

  // The Hann main lobe spans +-2 bins of the unpadded length.
  const lobe = Math.ceil((2 * n) / x.length) + 1;
  let inLobe = 0;
  for (let k = Math.max(first, peak - lobe); k <= Math.min(last, peak + lobe); k++) inLobe += power[k]!;
  return { hz: (peak + offset) * binHz, power: total > 0 ? inLobe / total : 0, rms: level };
}

/**
 * True when the window holds a tone at `expectedHz`: louder than silence
 * ({@link SILENCE_RMS}) and with its dominant frequency within tolerance.
 */
export function isTone(samples: Int16Array | Float32Array, sampleRate: number, expectedHz: number, toleranceHz = 5): boolean {
  const found = dominantFrequency(samples, sampleRate);
  return found.rms > SILENCE_RMS && Math.abs(found.hz - expectedHz) <= toleranceHz;
}
