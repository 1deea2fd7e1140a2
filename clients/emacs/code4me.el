;;; code4me.el --- Code4me inline completion and chat over eglot  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9") (jsonrpc "1.0.14"))
;; Keywords: tools, convenience
;; URL: https://github.com/code4me-me/code4me-lsp

;;; Commentary:

;; Connects eglot to code4me-lsp and shows its inline completions
;; (textDocument/inlineCompletion, LSP 3.18) as ghost text in an overlay.
;; Eglot gained its own inline completion only in 1.17 (Emacs 30), so this file
;; makes the request itself, through jsonrpc's public API.
;;
;; Each completion's fate is reported back to the server:
;;   shown     -> textDocument/didShowCompletion
;;   accepted  -> workspace/executeCommand with the item's command
;;   partly    -> textDocument/didPartiallyAcceptCompletion
;;   rejected  -> code4me/completionRejected
;;
;; Setup:
;;   (require 'code4me)
;;   (code4me-setup)            ; registers code4me-lsp for `code4me-major-modes'
;;   then M-x eglot in a Python buffer (or add `eglot-ensure' to python-mode-hook).
;;
;; Keys in `code4me-mode' (on in every buffer eglot manages with code4me-lsp):
;;   TAB       accept the ghost text (only while ghost text is shown)
;;   M-<right> accept the next word            (only while shown)
;;   M-n / M-p next / previous item            (only while shown)
;;   C-g       dismiss                          (only while shown)
;;   C-c /     ask for a completion now
;;   C-c .     code4me-chat

;;; Code:

(require 'cl-lib)
(require 'seq)
(require 'subr-x)
(require 'jsonrpc)
(require 'eglot)

(defgroup code4me nil
  "Code4me AI inline completion."
  :group 'tools
  :prefix "code4me-")

(defcustom code4me-server-command '("code4me-lsp")
  "Command (program and arguments) that starts the Code4me language server."
  :type '(repeat string))

(defcustom code4me-major-modes '(python-mode)
  "Major modes whose eglot server becomes code4me-lsp after `code4me-setup'.
Eglot 1.9 runs one server per major mode and project, so these modes give up
any other language server they were mapped to."
  :type '(repeat symbol))

(defcustom code4me-settings nil
  "The `code4me' settings object, sent as initializationOptions.
A plist, for example (:completion (:manualOnly :json-false :debounceMinMs 50)
:logging (:clientLevel \"Warning\"))."
  :type 'sexp)

(defcustom code4me-auto-trigger t
  "When non-nil, request completions while typing (the server debounces)."
  :type 'boolean)

(defface code4me-ghost-face
  '((t :inherit shadow))
  "Face of the ghost text.")

;;;; Server class

(defclass code4me-eglot-server (eglot-lsp-server) ()
  :documentation "Eglot connection to code4me-lsp.")

(cl-defmethod eglot-initialization-options ((_server code4me-eglot-server))
  (or code4me-settings eglot--{}))

(cl-defmethod eglot-client-capabilities ((server code4me-eglot-server))
  (let ((caps (cl-call-next-method server)))
    (plist-put caps :general '(:positionEncodings ["utf-16"]))
    (plist-put caps :textDocument
               (plist-put (plist-get caps :textDocument)
                          :inlineCompletion '(:dynamicRegistration :json-false)))))

(defvar code4me--chat-tokens (make-hash-table :test #'equal)
  "Partial-result tokens of running chat requests -> chat buffer.")

(cl-defmethod eglot-handle-notification
  ((_server code4me-eglot-server) (_method (eql $/progress)) &key token value &allow-other-keys)
  "Stream chat partial results into the chat buffer."
  (when-let ((buffer (gethash token code4me--chat-tokens)))
    (let ((delta (cond ((stringp value) value)
                       ((listp value) (or (plist-get value :delta) (plist-get value :reply))))))
      (when (stringp delta)
        (puthash (cons token 'streamed) t code4me--chat-tokens)
        (code4me--chat-append buffer delta)))))

;;;###autoload
(defun code4me-setup ()
  "Register code4me-lsp in `eglot-server-programs' for `code4me-major-modes'.
Also turn on `code4me-mode' in buffers eglot manages with it."
  (add-to-list 'eglot-server-programs
               (cons code4me-major-modes (cons 'code4me-eglot-server code4me-server-command)))
  (add-hook 'eglot-managed-mode-hook #'code4me--maybe-enable))

(defun code4me--server ()
  "The code4me server of this buffer, or nil."
  (let ((server (ignore-errors (eglot-current-server))))
    (and server (cl-typep server 'code4me-eglot-server) server)))

(defun code4me--maybe-enable ()
  (if (and (bound-and-true-p eglot--managed-mode) (code4me--server))
      (code4me-mode 1)
    (when (bound-and-true-p code4me-mode)
      (code4me-mode -1))))

;;;; State of the ghost text

(cl-defstruct (code4me--ghost (:constructor code4me--ghost-create))
  buffer server start items (index 0) (prefix "") (typed "") overlay)

(defvar-local code4me--current nil "The ghost text shown in this buffer, or nil.")
(defvar-local code4me--seq 0 "Number of the newest completion request of this buffer.")

(defun code4me--item (ghost)
  (aref (code4me--ghost-items ghost) (code4me--ghost-index ghost)))

(defun code4me--insert-text (item)
  (let ((text (plist-get item :insertText)))
    (if (stringp text) text (or (plist-get text :value) ""))))

(defun code4me--remaining (ghost)
  "What is still to insert of GHOST's item.
Nil when the buffer diverged from it."
  (let ((text (code4me--insert-text (code4me--item ghost)))
        (done (concat (code4me--ghost-prefix ghost) (code4me--ghost-typed ghost))))
    (when (string-prefix-p done text)
      (substring text (length done)))))

(defun code4me--utf16-length (string)
  (cl-loop for c across string sum (if (> c #xFFFF) 2 1)))

(defun code4me--notify (ghost method params)
  (let ((server (code4me--ghost-server ghost)))
    (when (jsonrpc-running-p server)
      (jsonrpc-notify server method params))))

(defun code4me--render (ghost)
  (let* ((text (or (code4me--remaining ghost) ""))
         (pos (+ (code4me--ghost-start ghost) (length (code4me--ghost-typed ghost))))
         (ov (or (code4me--ghost-overlay ghost)
                 (let ((o (make-overlay pos pos nil nil t)))
                   (overlay-put o 'code4me t)
                   (overlay-put o 'priority 100)
                   (setf (code4me--ghost-overlay ghost) o)))))
    (move-overlay ov pos pos)
    (let ((shown (propertize text 'face 'code4me-ghost-face)))
      (when (> (length shown) 0)
        ;; Keep the cursor before the ghost text, not after it.
        (put-text-property 0 1 'cursor t shown))
      (overlay-put ov 'after-string shown))))

(defun code4me--show (ghost)
  (code4me--render ghost)
  (code4me--notify ghost :textDocument/didShowCompletion (list :item (code4me--item ghost))))

(defun code4me--clear ()
  "Remove the ghost text without telling the server; return it."
  (let ((ghost code4me--current))
    (setq code4me--current nil)
    (when (and ghost (code4me--ghost-overlay ghost))
      (delete-overlay (code4me--ghost-overlay ghost)))
    ghost))

(defun code4me-visible-p ()
  "Non-nil when ghost text is shown in this buffer."
  (and code4me--current t))

(defun code4me-current-text ()
  "The ghost text shown in this buffer (what accepting would insert), or nil."
  (and code4me--current (code4me--remaining code4me--current)))

(defun code4me-current-item ()
  "The server's item behind the ghost text, as a plist, or nil."
  (and code4me--current (code4me--item code4me--current)))

;;;; Commands

(defun code4me-dismiss ()
  "Dismiss the ghost text and report it rejected."
  (interactive)
  (when-let ((ghost (code4me--clear)))
    (code4me--notify ghost :code4me/completionRejected (list :item (code4me--item ghost)))
    t))

(defun code4me-accept ()
  "Insert the ghost text and run the item's command (code4me.acceptCompletion)."
  (interactive)
  (when-let ((ghost code4me--current))
    (let ((text (or (code4me--remaining ghost) ""))
          (item (code4me--item ghost))
          (server (code4me--ghost-server ghost)))
      (code4me--clear)
      (insert text)
      (when-let ((command (plist-get item :command)))
        (eglot--signal-textDocument/didChange)
        (jsonrpc-async-request
         server :workspace/executeCommand
         (list :command (plist-get command :command) :arguments (plist-get command :arguments))
         :success-fn #'ignore
         :error-fn (lambda (err) (message "code4me: accept command failed: %s" (plist-get err :message)))
         :timeout-fn #'ignore))
      t)))

(defun code4me-accept-word ()
  "Insert the next word of the ghost text and report the partial acceptance."
  (interactive)
  (when-let ((ghost code4me--current))
    (let* ((text (or (code4me--remaining ghost) ""))
           (part (if (string-match "\\`\\(\n\\|[ \t]*[[:alnum:]_]+\\|[ \t]*[^[:alnum:]_ \t\n]+\\|[ \t]+\\)" text)
                     (match-string 0 text)
                   text)))
      (if (string= part text)
          (code4me-accept)
        (insert part)
        (setf (code4me--ghost-typed ghost) (concat (code4me--ghost-typed ghost) part))
        (code4me--render ghost)
        (code4me--notify ghost :textDocument/didPartiallyAcceptCompletion
                         (list :item (code4me--item ghost)
                               :acceptedLength (code4me--utf16-length
                                                (concat (code4me--ghost-prefix ghost)
                                                        (code4me--ghost-typed ghost)))))
        t))))

(defun code4me--cycle (step)
  (when-let ((ghost code4me--current))
    (let ((n (length (code4me--ghost-items ghost))))
      (when (> n 1)
        (cl-loop repeat (1- n)
                 do (setf (code4me--ghost-index ghost) (mod (+ (code4me--ghost-index ghost) step) n))
                 until (code4me--remaining ghost))
        (code4me--show ghost)
        t))))

(defun code4me-next ()
  "Show the next item."
  (interactive)
  (code4me--cycle 1))

(defun code4me-previous ()
  "Show the previous item."
  (interactive)
  (code4me--cycle -1))

(defun code4me--items (result)
  "The usable items of an inlineCompletion RESULT, as a vector."
  (let ((items (cond ((vectorp result) result)
                     ((listp result) (plist-get result :items)))))
    (seq-into (seq-filter (lambda (item) (> (length (code4me--insert-text item)) 0)) items) 'vector)))

(defun code4me-complete (&optional trigger-kind)
  "Ask the server for an inline completion at point.
TRIGGER-KIND is 1 (invoked, the default and what the command sends)
or 2 (automatic)."
  (interactive)
  (let ((server (code4me--server))
        (kind (or trigger-kind 1)))
    (if (not server)
        (when (= kind 1) (user-error "code4me: no code4me-lsp server manages this buffer"))
      (eglot--signal-textDocument/didChange)
      (let* ((buffer (current-buffer))
             (point (point))
             (tick (buffer-chars-modified-tick))
             (seq (cl-incf code4me--seq))
             (params (append (eglot--TextDocumentPositionParams)
                             (list :context (list :triggerKind kind)))))
        (jsonrpc-async-request
         server :textDocument/inlineCompletion params
         :success-fn
         (lambda (result)
           (when (buffer-live-p buffer)
             (with-current-buffer buffer
               (let ((items (code4me--items result)))
                 (when (and (= seq code4me--seq)
                            (> (length items) 0)
                            (eq (current-buffer) (window-buffer (selected-window)))
                            (= (point) point)
                            (= (buffer-chars-modified-tick) tick))
                   (code4me--clear)
                   (let ((ghost (code4me--ghost-create
                                 :buffer buffer :server server :start point :items items)))
                     (code4me--set-prefix ghost point)
                     (setq code4me--current ghost)
                     (code4me--show ghost)))))))
         :error-fn
         (lambda (err)
           (when (and (= kind 1) (not (eql (plist-get err :code) -32800)))
             (message "code4me: inline completion failed: %s" (plist-get err :message))))
         :timeout-fn #'ignore)))))

(defun code4me--set-prefix (ghost point)
  "Record the buffer text inside the item's range before POINT (usually none)."
  (let* ((range (plist-get (code4me--item ghost) :range))
         (start (and range (ignore-errors (eglot--lsp-position-to-point (plist-get range :start))))))
    (when (and start (< start point) (= (line-number-at-pos start) (line-number-at-pos point)))
      (setf (code4me--ghost-prefix ghost) (buffer-substring-no-properties start point))
      (unless (code4me--remaining ghost)
        (setf (code4me--ghost-prefix ghost) "")))))

;;;; Typing

(defconst code4me--own-commands
  '(code4me-accept code4me-accept-word code4me-next code4me-previous code4me-dismiss code4me-complete))

(defun code4me--post-command ()
  "Keep the ghost text while the user types through it.
Reject it when the buffer or point diverge; trigger a request when typing."
  (let ((ghost code4me--current))
    (when (and ghost (not (memq this-command code4me--own-commands)))
      (let ((start (code4me--ghost-start ghost)))
        (if (or (< (point) start) (> (point) (line-end-position))
                (/= (line-number-at-pos start) (line-number-at-pos (point))))
            (code4me-dismiss)
          (let ((old (code4me--ghost-typed ghost)))
            (setf (code4me--ghost-typed ghost) (buffer-substring-no-properties start (point)))
            (let ((rest (code4me--remaining ghost)))
              (cond ((null rest) (setf (code4me--ghost-typed ghost) old) (code4me-dismiss))
                    ((string= rest "") (code4me--clear))
                    (t (code4me--render ghost))))))))
    (when (and code4me-auto-trigger (not code4me--current)
               (memq this-command '(self-insert-command newline python-indent-dedent-line-backspace
                                                        delete-backward-char backward-delete-char-untabify)))
      (code4me-complete 2))))

(defun code4me--menu-filter (command)
  "COMMAND while ghost text is shown, else nil (the key keeps its usual meaning)."
  (and code4me--current command))

(defvar code4me-mode-map
  (let ((map (make-sparse-keymap)))
    (dolist (binding '(("TAB" . code4me-accept) ("<tab>" . code4me-accept)
                       ("M-<right>" . code4me-accept-word)
                       ("M-n" . code4me-next) ("M-p" . code4me-previous)
                       ("C-g" . code4me-dismiss)))
      (define-key map (kbd (car binding))
        `(menu-item "" ,(cdr binding) :filter code4me--menu-filter)))
    (define-key map (kbd "C-c /") #'code4me-complete)
    (define-key map (kbd "C-c ]") #'code4me-next)
    (define-key map (kbd "C-c [") #'code4me-previous)
    (define-key map (kbd "C-c .") #'code4me-chat)
    map)
  "Keys of `code4me-mode'.")

;;;###autoload
(define-minor-mode code4me-mode
  "Code4me ghost-text completions in an eglot-managed buffer."
  :lighter " C4me"
  :keymap code4me-mode-map
  (if code4me-mode
      (add-hook 'post-command-hook #'code4me--post-command nil t)
    (remove-hook 'post-command-hook #'code4me--post-command t)
    (code4me-dismiss)))

;;;; Chat

(defun code4me--chat-append (buffer text)
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (save-excursion
          (goto-char (point-max))
          (insert text))))))

(defvar code4me--chat-id nil "The chatId of the running conversation.")
(defvar code4me--chat-count 0)

(defun code4me-chat (message)
  "Send MESSAGE to code4me/chat; the reply streams into the *code4me-chat* buffer."
  (interactive (list (read-string "Code4me chat: ")))
  (let* ((source (current-buffer))
         (server (or (code4me--server)
                     (seq-find (lambda (s) (cl-typep s 'code4me-eglot-server))
                               (apply #'append (hash-table-values eglot--servers-by-project)))))
         (buffer (get-buffer-create "*code4me-chat*"))
         (token (format "code4me-chat-%d" (cl-incf code4me--chat-count))))
    (with-current-buffer buffer
      (unless (derived-mode-p 'special-mode) (special-mode))
      (let ((inhibit-read-only t))
        (goto-char (point-max))
        (insert (if (bobp) "" "\n") "## You\n\n" message "\n\n## Code4me\n\n")))
    (display-buffer buffer)
    (if (not server)
        (code4me--chat-append buffer "No code4me-lsp server is running: open a file eglot manages with it first.\n")
      (puthash token buffer code4me--chat-tokens)
      (let ((params (list :message message :partialResultToken token)))
        (when code4me--chat-id (setq params (plist-put params :chatId code4me--chat-id)))
        (when (and (buffer-file-name source) (eq (code4me--server) server))
          (with-current-buffer source
            (setq params (plist-put params :textDocument (eglot--TextDocumentIdentifier)))))
        (jsonrpc-async-request
         server :code4me/chat params
         :success-fn
         (lambda (result)
           (let ((streamed (gethash (cons token 'streamed) code4me--chat-tokens)))
             (remhash token code4me--chat-tokens)
             (remhash (cons token 'streamed) code4me--chat-tokens)
             (setq code4me--chat-id (or (plist-get result :chatId) code4me--chat-id))
             (unless streamed
               (code4me--chat-append buffer (or (plist-get result :reply) "")))
             (when-let ((model (plist-get result :model)))
               (code4me--chat-append buffer (format "\n\n(%s)\n" model)))))
         :error-fn
         (lambda (err)
           (remhash token code4me--chat-tokens)
           (code4me--chat-append
            buffer
            (if (eql (plist-get err :code) -32601)
                (format "Code4me chat is unavailable: the server does not implement code4me/chat (%s)\n"
                        (plist-get err :message))
              (format "Code4me chat error %s: %s\n" (plist-get err :code) (plist-get err :message)))))
         :timeout 300
         :timeout-fn
         (lambda ()
           (remhash token code4me--chat-tokens)
           (code4me--chat-append buffer "Code4me chat: no answer from the server in time.\n")))))
    buffer))

(provide 'code4me)
;;; code4me.el ends here
