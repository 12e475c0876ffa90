/** Waits for `promise`, or `ms` milliseconds if that is sooner; leaves no timer behind. */
export async function waitWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise.then(() => {}), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
