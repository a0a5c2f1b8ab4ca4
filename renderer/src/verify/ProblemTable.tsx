/**
 * What a verification found wrong, one row per stored version: the file, what is wrong in words,
 * the host's detail, and which other destinations hold the same content (repair copies from them).
 */
import { useId } from 'react';
import type { VerifyProblem } from '../../../shared/api/entities.js';
import { problemKindWords } from './verify-words.js';

export function ProblemTable({ destination, problems }: { destination: string; problems: VerifyProblem[] }) {
  const id = useId();
  return (
    <div
      className="verify-problems"
      // Scrolls when long: focusable so the keyboard can scroll it too.
      tabIndex={0}
      role="region"
      aria-labelledby={`${id}-caption`}
    >
      <table className="results">
        <caption id={`${id}-caption`} className="visually-hidden">
          Problems on {destination}
        </caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Problem</th>
            <th scope="col">Detail</th>
            <th scope="col">Also on</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p, i) => (
            <tr key={`${p.snapshotId}:${p.path}:${i}`}>
              <td className="mono verify-path">{p.path}</td>
              <td className="nowrap">{problemKindWords(p.kind)}</td>
              <td className="verify-detail">{p.detail}</td>
              <td>{p.repairableFrom.length ? p.repairableFrom.join(', ') : <span className="muted">None</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
