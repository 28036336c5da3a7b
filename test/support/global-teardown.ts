export default async function globalTeardown(): Promise<void> {
  const store = (globalThis as { __crowdcartStore?: { stop(): Promise<void> } }).__crowdcartStore;
  await store?.stop();
}
