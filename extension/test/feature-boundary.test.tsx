import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/preact';
import { FeatureBoundary } from '../components/ui';

function Broken(): never {
  throw new Error('selector moved');
}

describe('feature boundary', () => {
  it("keeps one feature's failure from breaking the others", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    render(
      <div>
        <FeatureBoundary id="broken">
          <Broken />
        </FeatureBoundary>
        <FeatureBoundary id="fine">
          <button type="button">Leave Track</button>
        </FeatureBoundary>
      </div>,
    );
    expect(screen.getByRole('button', { name: 'Leave Track' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('This control failed to load: selector moved');
    expect(warn.mock.calls[0]?.[0]).toMatch(/feature "broken" failed on/);
  });
});
