/**
 * Text for log lines: long messages (a driver's error, a Schema's complaint) cut to one line.
 *
 * @internal
 */

/**
 * Long enough to say what is wrong, short enough for one log line.
 *
 * @internal
 */
export const brief = (message: string): string => {
  const line = message.replace(/\s+/g, " ")
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}
