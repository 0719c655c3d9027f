/** A request as the simulator received it: what tests read back and what fault rules are given. */
export interface RecordedRequest {
  /** 1-based arrival number; also in the `request-id` (`req_mock_<n>`) and the message id. */
  n: number;
  method: string;
  /** The request target as sent, query included. */
  path: string;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** `performance.now()` when the request arrived, in ms. */
  receivedAt: number;
}
