// Service worker: keeps the served page working offline after the first visit.
// Network first, so a new build is used at once; the cache only when the network fails. It caches
// only the app's own files (listed in precache.json by the build) and never patient data: files
// the user opens are read inside the page and never fetched.
const CACHE = 'bedside-app';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const list = await (await fetch('precache.json', { cache: 'no-store' })).json();
    const cache = await caches.open(CACHE);
    await cache.addAll(['./', ...list]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok) (await caches.open(CACHE)).put(request, response.clone());
      return response;
    } catch (err) {
      const cached = await caches.match(request, { ignoreSearch: true });
      if (cached) return cached;
      throw err;
    }
  })());
});
