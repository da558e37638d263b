// Focus management for content that appears or disappears in place, so keyboard and
// screen-reader users are not dropped back at the top of the page.
import { type RefObject, useEffect, useRef } from "react";

/** A ref whose element takes focus when it mounts. */
export function useFocusOnMount<T extends HTMLElement>(): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}

/**
 * A ref that gets focus back when `open` turns from true to false (a form was
 * cancelled). Pass `restore: false` when something else takes focus instead, such
 * as a confirmation that replaces the form.
 */
export function useReturnFocus<T extends HTMLElement>(open: boolean, restore = true): RefObject<T | null> {
  const ref = useRef<T>(null);
  const wasOpen = useRef(open);
  useEffect(() => {
    if (wasOpen.current && !open && restore) ref.current?.focus();
    wasOpen.current = open;
  }, [open, restore]);
  return ref;
}
