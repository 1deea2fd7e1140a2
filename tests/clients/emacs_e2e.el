;;; emacs_e2e.el --- End-to-end test of clients/emacs/code4me.el  -*- lexical-binding: t; -*-

;; Run by emacs_e2e.sh:  emacs --batch -Q -L clients/emacs -l tests/clients/emacs_e2e.el
;; Starts the real code4me-lsp through eglot and code4me.el, types with `execute-kbd-macro'
;; (so post-command-hook and the minor-mode keymap act as for a user), reads the ghost text back
;; from the overlay, accepts it with TAB, and checks through code4me/queryState what the server
;; recorded. Every wait is bounded; a failure exits non-zero with the step that failed.

(require 'cl-lib)
(require 'code4me)

(defconst e2e-exe (or (getenv "CODE4ME_LSP_EXE") (error "CODE4ME_LSP_EXE is not set")))
(defconst e2e-workspace (file-name-as-directory (or (getenv "CODE4ME_TEST_WORKSPACE") (error "CODE4ME_TEST_WORKSPACE is not set"))))
(defconst e2e-wait-seconds 20)
(defvar e2e-step "start")
(defvar e2e-chat nil)

(defun e2e-fail (fmt &rest args)
  (error "%s" (apply #'format fmt args)))

(defun e2e-wait (what predicate)
  "Process events until PREDICATE returns non-nil (its value is returned), or fail after a bound."
  (setq e2e-step what)
  (let ((deadline (+ (float-time) e2e-wait-seconds)) value)
    (while (not (setq value (funcall predicate)))
      (when (> (float-time) deadline)
        (e2e-fail "timed out after %ss waiting for %s" e2e-wait-seconds what))
      (accept-process-output nil 0.05))
    value))

(defun e2e-type (keys)
  (execute-kbd-macro (kbd keys)))

(defun e2e-ghost-overlay ()
  (seq-find (lambda (o) (and (overlay-get o 'code4me)
                             (> (length (or (overlay-get o 'after-string) "")) 0)))
            (overlays-in (point-min) (point-max))))

(defun e2e-query-state (server query-id)
  (jsonrpc-request server :code4me/queryState (list :queryId query-id)))

(defun e2e-write (file text)
  (with-temp-file file (insert text)))

(defun e2e-run ()
  (let ((teacher (expand-file-name "teacher.py" e2e-workspace))
        (target (expand-file-name "target.py" e2e-workspace))
        server query-id ghost-text)
    (e2e-write teacher (concat "import numpy as np\n\n"
                               (mapconcat (lambda (i) (format "data%d = np.loadtxt(path, delimiter=\",\")\n" i))
                                          (number-sequence 1 8) "")))
    (e2e-write target "import numpy as np\n\n")
    (setq code4me-server-command (list e2e-exe)
          code4me-settings '(:logging (:clientLevel "Warning"))
          eglot-sync-connect 20)
    (code4me-setup)

    (setq e2e-step "eglot connects to code4me-lsp for teacher.py")
    (find-file teacher)
    (let ((default-directory e2e-workspace))
      (call-interactively #'eglot))
    (setq server (e2e-wait "the eglot server" (lambda () (code4me--server))))
    (unless (cl-typep server 'code4me-eglot-server)
      (e2e-fail "eglot started %S, not code4me-eglot-server" (eieio-object-class server)))

    (setq e2e-step "open target.py in the same server")
    (find-file target)
    (e2e-wait "eglot to manage target.py with code4me-mode on"
              (lambda () (and (eq (code4me--server) server) code4me-mode)))
    (dolist (file (list teacher target))
      (with-current-buffer (get-file-buffer file)
        (let ((state (jsonrpc-request server :code4me/documentState
                                      (list :textDocument (eglot--TextDocumentIdentifier)))))
          (unless (plist-get state :lineCount)
            (e2e-fail "code4me/documentState gave no lineCount for %s: %S" file state)))))

    ;; Type the start of the call the teacher file uses eight times, then ask explicitly.
    (goto-char (point-max))
    (e2e-type "data9 SPC = SPC np.loadtxt(")
    (unless (string= (buffer-substring (line-beginning-position) (point)) "data9 = np.loadtxt(")
      (e2e-fail "typing gave %S" (buffer-substring (line-beginning-position) (point))))
    (let ((line-start (line-beginning-position)))
      (e2e-type "C-c /")
      (let* ((ov (e2e-wait "ghost text (an overlay with after-string) at point" #'e2e-ghost-overlay))
             (shown (substring-no-properties (overlay-get ov 'after-string))))
        (unless (= (overlay-start ov) (point))
          (e2e-fail "ghost text at %d, point at %d" (overlay-start ov) (point)))
        (unless (string= shown (code4me-current-text))
          (e2e-fail "overlay shows %S but the suggestion is %S" shown (code4me-current-text)))
        (unless (string-match-p "path" shown)
          (e2e-fail "ghost text %S does not continue the taught pattern" shown))
        (setq ghost-text shown)
        (setq query-id (plist-get (aref (plist-get (plist-get (code4me-current-item) :command) :arguments) 0) :queryId))
        (unless (stringp query-id)
          (e2e-fail "the item carries no queryId: %S" (code4me-current-item))))

      ;; Accept with TAB (bound in code4me-mode only while ghost text is shown).
      (setq e2e-step "accept with TAB")
      (e2e-type "TAB")
      (when (code4me-visible-p) (e2e-fail "ghost text still shown after TAB"))
      (let ((expected (concat "data9 = np.loadtxt(" ghost-text)))
        (unless (string= (buffer-substring line-start (min (point-max) (+ line-start (length expected)))) expected)
          (e2e-fail "buffer holds %S, expected %S" (buffer-substring line-start (point-max)) expected)))
      (when (seq-find (lambda (o) (overlay-get o 'code4me)) (overlays-in (point-min) (point-max)))
        (e2e-fail "ghost overlay left behind after accept")))

    ;; The server has the same text and recorded shown + accepted.
    (setq e2e-step "the server text after accept")
    (eglot--signal-textDocument/didChange)
    (let ((state (jsonrpc-request server :code4me/documentState (list :textDocument (eglot--TextDocumentIdentifier))))
          (hash (secure-hash 'sha256 (encode-coding-string (buffer-substring-no-properties (point-min) (point-max)) 'utf-8))))
      (unless (string= (plist-get state :sha256) hash)
        (e2e-fail "server text differs from the buffer: %S" state)))
    (let ((recorded (e2e-wait "the server to record shown + accepted"
                              (lambda ()
                                (let ((s (e2e-query-state server query-id)))
                                  (and (eq (plist-get s :accepted) t) (>= (plist-get s :shownCount) 1) s))))))
      (when (eq (plist-get recorded :rejected) t)
        (e2e-fail "accepted completion recorded as rejected: %S" recorded))

      ;; Typing that diverges from the ghost text rejects it.
      (goto-char (point-max))
      (unless (bolp) (e2e-type "RET"))
      (e2e-type "data10 SPC = SPC np.loadtxt(")
      (e2e-type "C-c /")
      (e2e-wait "ghost text on the second line" #'code4me-visible-p)
      (let* ((item (code4me-current-item))
             (rejected-id (plist-get (aref (plist-get (plist-get item :command) :arguments) 0) :queryId))
             (key (if (string-prefix-p "Z" (code4me-current-text)) "Q" "Z")))
        (when (equal rejected-id query-id) (e2e-fail "second completion reused the first query id"))
        (e2e-type key)
        (when (and (code4me-visible-p) (equal (code4me-current-item) item))
          (e2e-fail "ghost text still shown after a diverging key"))
        (let ((state (e2e-wait "the server to record the rejection"
                               (lambda ()
                                 (let ((s (e2e-query-state server rejected-id)))
                                   (and (eq (plist-get s :rejected) t) s))))))
          (when (eq (plist-get state :accepted) t)
            (e2e-fail "rejected completion recorded as accepted: %S" state))))
      ;; Chat: the reply streams into *code4me-chat*.
      (let* ((buffer (code4me-chat "What does np.loadtxt return?"))
             (answer (e2e-wait "the chat reply"
                               (lambda ()
                                 (with-current-buffer buffer
                                   (let ((text (buffer-string)))
                                     (and (string-match "## Code4me\n\n\\(.+\\)" text)
                                          (null (gethash "code4me-chat-1" code4me--chat-tokens))
                                          (match-string 1 text))))))))
        ;; run_all.sh points the server at a loopback chat provider that streams C4_CHAT_REPLY in three pieces.
        (unless (equal answer (getenv "C4_CHAT_REPLY"))
          (e2e-fail "chat reply: %s (expected %S)" answer (getenv "C4_CHAT_REPLY")))
        (setq e2e-chat "chat reply streamed into the buffer"))
      (format "ghost text %S accepted (server: shownCount=%d accepted=true); diverging keystroke recorded as rejected; %s"
              (car (split-string ghost-text "\n")) (plist-get recorded :shownCount) e2e-chat))))

(let ((code 0) message)
  (condition-case err
      (setq message (e2e-run))
    (error (setq code 1 message (error-message-string err))))
  (ignore-errors
    (let ((server (with-current-buffer (or (get-file-buffer (expand-file-name "target.py" e2e-workspace)) (current-buffer))
                    (code4me--server))))
      (when server (eglot-shutdown server))))
  (princ (if (= code 0)
             (format "emacs_e2e: PASS %s\n" message)
           (format "emacs_e2e: FAIL at \"%s\": %s\n" e2e-step message))
         #'external-debugging-output)
  (kill-emacs code))
