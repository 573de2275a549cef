import type { DataErrorDetail } from '../core/errors.js';
import type { Position } from '../core/records.js';
import type { StepFailure } from './steps.js';

/**
 * Collects the field errors of one record while it is mapped. One sink per mapping, reset for
 * each record (mapping is synchronous), so the happy path allocates nothing here. Inside `each`
 * the element index is tracked so an error names `lines[2].qty` and `DETAIL[2].QTY`.
 */
export class ErrorSink {
  errors: DataErrorDetail[] | undefined;
  position: Position | undefined;
  private readonly fieldFrames: string[] = [];
  private readonly labelFrames: string[] = [];
  private readonly indices: number[] = [];

  constructor(readonly mapping: string) {}

  reset(position: Position | undefined): void {
    this.errors = undefined;
    this.position = position;
    // enter/leave are balanced, so the frames are empty here: nothing to clear per record.
  }

  enter(field: string, label: string): void {
    this.fieldFrames.push(field);
    this.labelFrames.push(label);
    this.indices.push(0);
  }

  at(index: number): void {
    this.indices[this.indices.length - 1] = index;
  }

  leave(): void {
    this.fieldFrames.pop();
    this.labelFrames.pop();
    this.indices.pop();
  }

  private prefix(frames: string[]): string {
    let s = '';
    for (let i = 0; i < frames.length; i++) s += `${frames[i]}[${this.indices[i]}].`;
    return s;
  }

  /** Records a failure of `field`; the failure's label names the other side (the legacy field). */
  add(field: string, f: StepFailure): void {
    const label = f.label ? `${this.prefix(this.labelFrames)}${f.label}: ` : '';
    const detail: DataErrorDetail = { code: f.code, field: this.prefix(this.fieldFrames) + field, message: label + f.message };
    if (f.value !== undefined) detail.value = f.value;
    if (this.position !== undefined) detail.position = this.position;
    detail.mapping = this.mapping;
    (this.errors ??= []).push(detail);
  }
}
