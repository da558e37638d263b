// Single-key shortcuts for the workbench (j/k, Enter, /, ?). They never fire while someone
// types in a field or holds Ctrl, Alt or Cmd, so they cannot eat a letter or a browser shortcut.
import { useEffect, useRef } from "react";

/** Gets every key press outside a text field; handles the keys it knows by `event.key`. */
export type ShortcutHandler = (event: KeyboardEvent) => void;

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  // Buttons-in-disguise do not take text.
  return !["checkbox", "radio", "button", "submit", "reset", "file", "range", "color"].includes(type);
}

export function useShortcuts(handler: ShortcutHandler, enabled = true): void {
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    if (!enabled) return;
    function onKeyDown(event: KeyboardEvent): void {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing)
        return;
      if (isTyping(event.target)) return;
      current.current(event);
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [enabled]);
}
