import { memoryBackend } from '@torshpkg/storage'
import { conformance } from './conformance'

conformance('memory', { make: async () => ({ backend: memoryBackend() }), keyAndChildren: true })
